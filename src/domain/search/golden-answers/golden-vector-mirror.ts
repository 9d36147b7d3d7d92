import type { CallContext } from '../../context';
import { NotFoundError } from '../../errors';
import type { Metadata, VectorStore } from '../../ports';

/** The golden-answer question closest to a query vector. */
export interface MirroredHit {
  id: string;
  metadata: Metadata;
  score: number;
}

/**
 * An in-memory copy of the golden-answer vector collection, so the semantic golden-answer
 * match costs a few microseconds instead of a vector search on every query (on a busy or
 * serial backend that search was a fifth of the vector work of a four-collection query).
 * The collection stays the durable index: the copy is re-read when older than `ttlMs` and
 * at once after this process's writes (`invalidate`), so another replica's write is seen
 * within `ttlMs`. `nearest` answers undefined when the copy cannot serve — the collection
 * could not be read, or holds more than `maxEntries` — and the caller searches the store.
 */
export interface GoldenVectorMirror {
  nearest(vector: number[], ctx: CallContext): Promise<MirroredHit | null | undefined>;
  invalidate(): void;
}

interface Entry {
  id: string;
  metadata: Metadata;
  unit: Float32Array;
}

/** Creates the mirror of `collection` in `vectorStore`. */
export function createGoldenVectorMirror(deps: {
  vectorStore: VectorStore;
  collection: string;
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}): GoldenVectorMirror {
  const now = deps.now ?? Date.now;
  let copy: { entries: Entry[] | undefined; at: number } | undefined;
  let loading: { generation: number; promise: Promise<Entry[] | undefined> } | undefined;
  let generation = 0;

  // One read at a time per generation; a read begun before a write is not kept as the copy.
  const load = (ctx: CallContext): Promise<Entry[] | undefined> => {
    if (loading?.generation === generation) return loading.promise;
    const started = generation;
    const promise = read(ctx).then((entries) => {
      if (started === generation) copy = { entries, at: now() };
      if (loading?.promise === promise) loading = undefined;
      return entries;
    });
    loading = { generation: started, promise };
    return promise;
  };

  const read = async (ctx: CallContext): Promise<Entry[] | undefined> => {
    try {
      const records = await deps.vectorStore.scan(deps.collection, deps.maxEntries + 1, ctx);
      if (records.length > deps.maxEntries) return undefined;
      return records.map((r) => ({ id: r.id, metadata: r.metadata, unit: toUnit(r.vector) }));
    } catch (error) {
      if (error instanceof NotFoundError) return [];
      return undefined;
    }
  };

  return {
    async nearest(vector, ctx) {
      const entries = copy && now() - copy.at < deps.ttlMs ? copy.entries : await load(ctx);
      if (!entries) return undefined;
      const query = toUnit(vector);
      let best: MirroredHit | null = null;
      for (const entry of entries) {
        if (entry.unit.length !== query.length) continue;
        let dot = 0;
        // biome-ignore lint/style/noNonNullAssertion: i < query.length === entry.unit.length (checked above)
        for (let i = 0; i < query.length; i++) dot += query[i]! * entry.unit[i]!;
        if (!best || dot > best.score) best = { id: entry.id, metadata: entry.metadata, score: dot };
      }
      return best;
    },
    invalidate() {
      generation += 1;
      copy = undefined;
    },
  };
}

function toUnit(vector: number[]): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(vector, (x) => x * scale);
}
