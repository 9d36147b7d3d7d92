import type { CallContext } from '../../../src/domain/context';
import type { Embedder, EmbeddingKind } from '../../../src/domain/ports';

/**
 * A deterministic Embedder: each lower-cased word adds to one of `dimension` buckets (by a
 * hash), then the vector is scaled to unit length. Tests can pin a text's vector, make calls
 * fail, and inspect every batch it received (and the kind it was embedded as).
 */
export class FakeEmbedder implements Embedder {
  readonly name = 'fake-embedder';
  readonly calls: string[][] = [];
  /** The kind of each call in `calls`. */
  readonly kinds: EmbeddingKind[] = [];
  failure: Error | undefined;
  private readonly pinned = new Map<string, number[]>();

  constructor(readonly dimension = 16) {}

  /** `text` embeds to exactly `vector` (scaled to unit length). */
  pin(text: string, vector: number[]): this {
    this.pinned.set(text, unit(vector));
    return this;
  }

  /** Total texts embedded so far. */
  get textsEmbedded(): number {
    return this.calls.reduce((n, batch) => n + batch.length, 0);
  }

  async embed(texts: string[], _ctx: CallContext, kind: EmbeddingKind = 'document'): Promise<number[][]> {
    this.calls.push([...texts]);
    this.kinds.push(kind);
    if (this.failure) throw this.failure;
    return texts.map((text) => this.pinned.get(text) ?? this.bagOfWords(text));
  }

  private bagOfWords(text: string): number[] {
    const vector: number[] = Array.from({ length: this.dimension }, () => 0);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let hash = 0;
      for (const char of word) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
      const bucket = hash % this.dimension;
      vector[bucket] = (vector[bucket] ?? 0) + 1;
    }
    if (!vector.some((v) => v !== 0)) vector[0] = 1;
    return unit(vector);
  }
}

/** `vector` scaled to unit length. */
export function unit(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm === 0 ? vector : vector.map((v) => v / norm);
}
