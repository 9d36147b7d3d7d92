/**
 * Keeps the k highest-scoring items seen so far (a min-heap on score), for brute-force
 * nearest-neighbour scans: O(n log k) and no allocation per candidate. Every heap index read
 * is below `size` ≤ k, so the `?? 0` / `?? -1` defaults on typed-array reads never apply: they
 * only give noUncheckedIndexedAccess a number.
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
    return this.size < this.k ? Number.NEGATIVE_INFINITY : (this.scores[0] ?? 0);
  }

  /** Offers an item; kept when among the k best so far. */
  offer(item: number, score: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const parentScore = this.scores[parent] ?? 0;
        if (parentScore <= score) break;
        this.scores[i] = parentScore;
        this.items[i] = this.items[parent] ?? -1;
        i = parent;
      }
      this.scores[i] = score;
      this.items[i] = item;
    } else if (score > (this.scores[0] ?? 0)) {
      this.siftDown(item, score);
    }
  }

  /** The kept items, best first. */
  sorted(): { item: number; score: number }[] {
    const out: { item: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ item: this.items[i] ?? -1, score: this.scores[i] ?? 0 });
    return out.sort((a, b) => b.score - a.score);
  }

  private siftDown(item: number, score: number): void {
    const n = this.size;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && (this.scores[child + 1] ?? 0) < (this.scores[child] ?? 0)) child++;
      const childScore = this.scores[child] ?? 0;
      if (childScore >= score) break;
      this.scores[i] = childScore;
      this.items[i] = this.items[child] ?? -1;
      i = child;
    }
    this.scores[i] = score;
    this.items[i] = item;
  }
}
