/**
 * Keeps the k highest-scoring items seen so far (a min-heap on score), for brute-force
 * nearest-neighbour scans: O(n log k) and no allocation per candidate.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly items: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.items = new Int32Array(k);
  }

  /** The score an item must beat to enter (−Infinity while not full). */
  get threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  /** Offers an item; kept when among the k best so far. */
  offer(item: number, score: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.scores[i] = this.scores[parent]!;
        this.items[i] = this.items[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.items[i] = item;
    } else if (score > this.scores[0]!) {
      this.siftDown(item, score);
    }
  }

  /** The kept items, best first. */
  sorted(): { item: number; score: number }[] {
    const out: { item: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ item: this.items[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score);
  }

  private siftDown(item: number, score: number): void {
    const n = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.scores[child + 1]! < this.scores[child]!) child++;
      if (this.scores[child]! >= score) break;
      this.scores[i] = this.scores[child]!;
      this.items[i] = this.items[child]!;
      i = child;
    }
    this.scores[i] = score;
    this.items[i] = item;
  }
}
