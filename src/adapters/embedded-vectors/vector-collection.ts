import type { Metadata, VectorHit } from '../../domain/ports';
import type { MetadataPredicate } from '../filters';
import { Bm25Index } from './bm25-index';
import { RowMemory } from './row-memory';
import { TopK } from './top-k';

/** One stored record: its vector is already unit length, as Float32. */
export interface StoredRecord {
  id: string;
  text: string;
  metadata: Metadata;
  unit: Float32Array;
}

/**
 * The in-memory state of one collection: unit vectors as the rows of a RowMemory (slot i is
 * row i, scored by a SIMD kernel), with ids, texts and metadata in parallel arrays. Deleting
 * moves the last slot into the hole, so slots stay dense and a scan touches only live rows.
 * A BM25 index over the texts follows every put and remove (see Bm25Index).
 */
export class VectorCollection {
  private readonly vectors: RowMemory;
  private ids: string[] = [];
  private texts: string[] = [];
  private metas: Metadata[] = [];
  private readonly slots = new Map<string, number>();
  private readonly lexical = new Bm25Index();

  constructor(
    readonly name: string,
    readonly dimension: number,
  ) {
    this.vectors = new RowMemory(dimension);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Makes room for `rows` records in all; fails, changing nothing, beyond what the store can hold. */
  reserve(rows: number): void {
    this.vectors.reserve(rows);
  }

  /** Inserts or replaces a record. */
  put(record: StoredRecord): void {
    let slot = this.slots.get(record.id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.vectors.reserve(slot + 1);
      this.slots.set(record.id, slot);
      this.ids.push(record.id);
      this.texts.push(record.text);
      this.metas.push(record.metadata);
    } else {
      this.texts[slot] = record.text;
      this.metas[slot] = record.metadata;
    }
    this.vectors.write(slot, record.unit);
    this.lexical.put(record.id, record.text);
  }

  /** Removes a record; resolves to whether it existed. */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const moved = this.at(last);
      this.vectors.move(last, slot);
      this.ids[slot] = moved.id;
      this.texts[slot] = moved.text;
      this.metas[slot] = moved.metadata;
      this.slots.set(moved.id, slot);
    }
    this.ids.pop();
    this.texts.pop();
    this.metas.pop();
    this.slots.delete(id);
    this.lexical.remove(id);
    return true;
  }

  /** Ids of the records whose metadata passes `predicate`. */
  matching(predicate: MetadataPredicate): string[] {
    return this.ids.filter((_, slot) => predicate(this.at(slot).metadata));
  }

  /** The `limit` records closest to the unit vector `query` that pass `predicate`. */
  search(query: Float32Array, limit: number, predicate?: MetadataPredicate): VectorHit[] {
    const top = new TopK(limit);
    const scores = this.vectors.scores(query, this.ids.length);
    for (let slot = 0; slot < scores.length; slot++) {
      const score = scores[slot] ?? 0; // slot < scores.length
      // biome-ignore lint/style/noNonNullAssertion: slot < size (scores has a row per record); the hot loop of a filtered scan
      if (score > top.threshold && (!predicate || predicate(this.metas[slot]!))) top.offer(slot, score);
    }
    return top.sorted().map(({ item, score }) => ({ ...this.at(item), score: Math.max(-1, Math.min(1, score)) }));
  }

  /** The `limit` records with the best BM25 score for `text` that pass `predicate` (score > 0). */
  searchLexical(text: string, limit: number, predicate?: MetadataPredicate): VectorHit[] {
    const accept = predicate && ((id: string) => predicate(this.byId(id).metadata));
    return this.lexical.best(text, limit, accept).map(({ id, score }) => {
      const record = this.byId(id);
      return { id, text: record.text, metadata: record.metadata, score };
    });
  }

  /** Every record, for writing a snapshot. */
  *records(): Generator<StoredRecord> {
    for (let slot = 0; slot < this.ids.length; slot++) {
      yield { ...this.at(slot), unit: this.vectors.row(slot) };
    }
  }

  /** The record in `slot`; every slot below `size` holds one. */
  private at(slot: number): { id: string; text: string; metadata: Metadata } {
    const id = this.ids[slot];
    const text = this.texts[slot];
    const metadata = this.metas[slot];
    if (id === undefined || text === undefined || metadata === undefined) {
      throw new Error(`internal error: collection ${this.name} has no record in slot ${slot}`);
    }
    return { id, text, metadata };
  }

  /** The record stored under `id`, which the BM25 index (kept in step with the slots) returned. */
  private byId(id: string): { id: string; text: string; metadata: Metadata } {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new Error(`internal error: collection ${this.name} has no slot for ${id}`);
    return this.at(slot);
  }
}

/** `vector` scaled to unit length, as Float32 (the caller has checked it is not all zeros). */
export function toUnit(vector: readonly number[]): Float32Array {
  // Divide by the largest component first so that tiny or huge values neither underflow
  // nor overflow the sum of squares.
  let max = 0;
  for (const x of vector) max = Math.max(max, Math.abs(x));
  let norm = 0;
  for (const x of vector) norm += (x / max) ** 2;
  const scale = 1 / Math.sqrt(norm);
  const unit = new Float32Array(vector.length);
  vector.forEach((x, i) => {
    unit[i] = (x / max) * scale;
  });
  return unit;
}
