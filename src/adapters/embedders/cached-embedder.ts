import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import { RecallError, defined } from '../../domain/errors';
import type { Embedder, EmbeddingKind } from '../../domain/ports';
import { raceContext } from '../../domain/race-context';
import type { Metrics } from '../../observability/metrics';

/** Options of the embedding cache. */
export interface CachedEmbedderOptions {
  /** Most vectors kept (default 10 000, about 31 MB at 384 dimensions); least recently used go first. */
  maxEntries?: number;
  /**
   * Misses are handed to the inner embedder in slices of at most this many texts (default 32),
   * all at once: each slice is remembered as soon as it is answered, so a call that fails
   * or times out half-way leaves its finished slices cached for the retry.
   */
  sliceSize?: number;
}

/** An embedder that remembers; `size` and `clear()` are for tests and operators. */
export interface CachedEmbedder extends Embedder {
  readonly size: number;
  clear(): void;
}

/**
 * Decorates `inner` with a bounded LRU cache keyed by exact text and its kind (one cache per
 * embedder, so the model is implied; a query and a document of the same text may embed
 * differently, see EmbeddingKind). Misses of one call go to `inner` in slices (see
 * `sliceSize`), concurrently, the inner embedder pacing its own requests; a text already
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
  const sliceSize = options.sliceSize ?? 32;
  for (const [name, value] of [
    ['maxEntries', maxEntries],
    ['sliceSize', sliceSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`embedding cache ${name} must be a positive integer, got ${value}`);
    }
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

  /** Starts one inner call per slice of `texts` (distinct, all missing); a promise per text. */
  const compute = (texts: string[], ctx: CallContext, kind: EmbeddingKind): Promise<number[]>[] => {
    const promises: Promise<number[]>[] = [];
    for (let i = 0; i < texts.length; i += sliceSize)
      promises.push(...computeSlice(texts.slice(i, i + sliceSize), ctx, kind));
    return promises;
  };

  /** Starts one inner call for `texts` and registers a promise per text. */
  const computeSlice = (texts: string[], ctx: CallContext, kind: EmbeddingKind): Promise<number[]>[] => {
    const batch = inner.embed(texts, ctx, kind).then((vectors) => {
      if (vectors.length !== texts.length) {
        throw new Error(`${inner.name} returned ${vectors.length} vectors for ${texts.length} texts`);
      }
      texts.forEach((text, i) => {
        const vector = vectors[i];
        if (vector) remember(keyOf(text, kind), vector);
      });
      return vectors;
    });
    const promises = texts.map((text, i) => {
      const promise = batch.then((vectors) => defined(vectors[i], 'an embedding per text'));
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
        const index = missingIndex.get(text);
        if (index !== undefined) pending[i] ??= computed[index];
      });
    }

    const settle = async (text: string, i: number): Promise<number[]> => {
      try {
        return (await defined(pending[i], 'a pending embedding per text')).slice();
      } catch (error) {
        // Someone else's call ended while we waited on its computation: ours has not, so redo it.
        if (joined[i] && isContextEnd(error) && Date.now() < ctx.deadline && !ctx.signal.aborted) {
          return defined((await embed([text], ctx, kind))[0], 'the embedding of a text');
        }
        throw error;
      }
    };
    return raceContext(Promise.all(texts.map(settle)), ctx);
  };

  return {
    name: inner.name,
    dimension: inner.dimension,
    ...(inner.variant === undefined ? {} : { variant: inner.variant }),
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
