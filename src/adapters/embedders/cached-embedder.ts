import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import { RecallError } from '../../domain/errors';
import type { Embedder, EmbeddingKind } from '../../domain/ports';
import { raceContext } from '../../domain/race-context';
import type { Metrics } from '../../observability/metrics';

/** Options of the embedding cache. */
export interface CachedEmbedderOptions {
  /** Most vectors kept (default 10 000, about 31 MB at 384 dimensions); least recently used go first. */
  maxEntries?: number;
}

/** An embedder that remembers; `size` and `clear()` are for tests and operators. */
export interface CachedEmbedder extends Embedder {
  readonly size: number;
  clear(): void;
}

/**
 * Decorates `inner` with a bounded LRU cache keyed by exact text and its kind (one cache per
 * embedder, so the model is implied; a query and a document of the same text may embed
 * differently, see EmbeddingKind). Misses of one call go to `inner` as one batch; a text already
 * being embedded for another call is awaited rather than embedded twice. Counts, per text,
 * `embeddingCacheHits` (cached or joined in flight) and `embeddingCacheMisses` (computed).
 * Each call gets its own copies of the vectors. Failures are not cached.
 */
export function createCachedEmbedder(
  inner: Embedder,
  options: CachedEmbedderOptions = {},
  metrics?: Metrics,
): CachedEmbedder {
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new Error(`embedding cache maxEntries must be a positive integer, got ${maxEntries}`);
  }
  // A Map iterates in insertion order: re-inserting on each hit makes its first key the LRU one.
  const cache = new Map<string, number[]>();
  const inFlight = new Map<string, Promise<number[]>>();

  const lookup = (key: string): number[] | undefined => {
    const vector = cache.get(key);
    if (vector !== undefined) {
      cache.delete(key);
      cache.set(key, vector);
    }
    return vector;
  };
  const remember = (key: string, vector: number[]) => {
    cache.delete(key);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(key, vector);
  };

  /** Starts one batch for `texts` (distinct, all missing) and registers a promise per text. */
  const compute = (texts: string[], ctx: CallContext, kind: EmbeddingKind): Promise<number[]>[] => {
    const batch = inner.embed(texts, ctx, kind).then((vectors) => {
      if (vectors.length !== texts.length) {
        throw new Error(`${inner.name} returned ${vectors.length} vectors for ${texts.length} texts`);
      }
      for (let i = 0; i < texts.length; i++) remember(keyOf(texts[i]!, kind), vectors[i]!);
      return vectors;
    });
    const promises = texts.map((text, i) => {
      const promise = batch.then((vectors) => vectors[i]!);
      inFlight.set(keyOf(text, kind), promise);
      // Handled by whoever awaits it; this only keeps an unawaited failure from crashing the process.
      promise.catch(() => undefined);
      return promise;
    });
    const settled = () => {
      texts.forEach((text, i) => {
        const key = keyOf(text, kind);
        if (inFlight.get(key) === promises[i]) inFlight.delete(key);
      });
    };
    batch.then(settled, settled);
    return promises;
  };

  const embed = async (texts: string[], ctx: CallContext, kind: EmbeddingKind = 'document'): Promise<number[][]> => {
    throwIfDone(ctx);
    const pending: Array<number[] | Promise<number[]> | undefined> = [];
    const joined: boolean[] = [];
    const missingIndex = new Map<string, number>();
    let hits = 0;
    for (const text of texts) {
      const key = keyOf(text, kind);
      const found = lookup(key) ?? inFlight.get(key);
      joined.push(found instanceof Promise);
      if (found !== undefined || missingIndex.has(text)) hits++;
      else missingIndex.set(text, missingIndex.size);
      pending.push(found);
    }
    metrics?.embeddingCacheHits.inc(hits);
    metrics?.embeddingCacheMisses.inc(missingIndex.size);
    if (missingIndex.size > 0) {
      const computed = compute([...missingIndex.keys()], ctx, kind);
      texts.forEach((text, i) => {
        pending[i] ??= computed[missingIndex.get(text)!];
      });
    }

    const settle = async (i: number): Promise<number[]> => {
      try {
        return (await pending[i]!).slice();
      } catch (error) {
        // Someone else's call ended while we waited on its computation: ours has not, so redo it.
        if (joined[i] && isContextEnd(error) && Date.now() < ctx.deadline && !ctx.signal.aborted) {
          return (await embed([texts[i]!], ctx, kind))[0]!;
        }
        throw error;
      }
    };
    return raceContext(Promise.all(texts.map((_, i) => settle(i))), ctx);
  };

  return {
    name: inner.name,
    dimension: inner.dimension,
    embed,
    get size() {
      return cache.size;
    },
    clear: () => cache.clear(),
  };
}

/** The cache key: a fixed-length tag for the kind, then the text (so never ambiguous). */
function keyOf(text: string, kind: EmbeddingKind): string {
  return `${kind === 'query' ? 'q' : 'd'}:${text}`;
}

function isContextEnd(error: unknown): boolean {
  return error instanceof RecallError && (error.code === 'cancelled' || error.code === 'deadline_exceeded');
}
