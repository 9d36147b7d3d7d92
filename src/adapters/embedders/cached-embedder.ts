import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import { defined, isContextEnd } from '../../domain/errors';
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
  const maxEntries = positiveInteger('maxEntries', options.maxEntries ?? 10_000);
  const state: CacheState = {
    inner,
    sliceSize: positiveInteger('sliceSize', options.sliceSize ?? 32),
    cache: new VectorLru(maxEntries),
    inFlight: new Map(),
  };

  const embed = async (texts: string[], ctx: CallContext, kind: EmbeddingKind = 'document'): Promise<number[][]> => {
    throwIfDone(ctx);
    const { pending, joined, missingIndex, hits } = lookUp(state, texts, kind);
    metrics?.embeddingCacheHits.inc(hits);
    metrics?.embeddingCacheMisses.inc(missingIndex.size);
    if (missingIndex.size > 0) {
      const computed = compute(state, [...missingIndex.keys()], ctx, kind);
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
      return state.cache.size;
    },
    clear: () => state.cache.clear(),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`embedding cache ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** A bounded map of vectors that forgets the least recently used first. */
class VectorLru {
  // A Map iterates in insertion order: re-inserting on each hit makes its first key the LRU one.
  private readonly vectors = new Map<string, number[]>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.vectors.size;
  }

  get(key: string): number[] | undefined {
    const vector = this.vectors.get(key);
    if (vector !== undefined) {
      this.vectors.delete(key);
      this.vectors.set(key, vector);
    }
    return vector;
  }

  set(key: string, vector: number[]): void {
    this.vectors.delete(key);
    if (this.vectors.size >= this.maxEntries) this.vectors.delete(this.vectors.keys().next().value as string);
    this.vectors.set(key, vector);
  }

  clear(): void {
    this.vectors.clear();
  }
}

/** What one cached embedder keeps between calls. */
interface CacheState {
  readonly inner: Embedder;
  readonly sliceSize: number;
  readonly cache: VectorLru;
  /** Texts being embedded right now, by cache key, so a second caller joins the first. */
  readonly inFlight: Map<string, Promise<number[]>>;
}

/**
 * Finds each text in the cache or in flight. `pending` holds what was found (undefined for a
 * miss), `joined` whether it was in flight, `missingIndex` each distinct missing text's index
 * among the misses, `hits` the texts that need no computing of their own.
 */
function lookUp(state: CacheState, texts: string[], kind: EmbeddingKind) {
  const pending: Array<number[] | Promise<number[]> | undefined> = [];
  const joined: boolean[] = [];
  const missingIndex = new Map<string, number>();
  let hits = 0;
  for (const text of texts) {
    const key = keyOf(text, kind);
    const found = state.cache.get(key) ?? state.inFlight.get(key);
    joined.push(found instanceof Promise);
    if (found !== undefined || missingIndex.has(text)) hits++;
    else missingIndex.set(text, missingIndex.size);
    pending.push(found);
  }
  return { pending, joined, missingIndex, hits };
}

/** Starts one inner call per slice of `texts` (distinct, all missing); a promise per text. */
function compute(state: CacheState, texts: string[], ctx: CallContext, kind: EmbeddingKind): Promise<number[]>[] {
  const promises: Promise<number[]>[] = [];
  for (let i = 0; i < texts.length; i += state.sliceSize)
    promises.push(...computeSlice(state, texts.slice(i, i + state.sliceSize), ctx, kind));
  return promises;
}

/** Starts one inner call for `texts` and registers a promise per text. */
function computeSlice(state: CacheState, texts: string[], ctx: CallContext, kind: EmbeddingKind): Promise<number[]>[] {
  const { inner, cache, inFlight } = state;
  const batch = inner.embed(texts, ctx, kind).then((vectors) => {
    if (vectors.length !== texts.length) {
      throw new Error(`${inner.name} returned ${vectors.length} vectors for ${texts.length} texts`);
    }
    texts.forEach((text, i) => {
      const vector = vectors[i];
      if (vector) cache.set(keyOf(text, kind), vector);
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
}

/** The cache key: a fixed-length tag for the kind, then the text (so never ambiguous). */
function keyOf(text: string, kind: EmbeddingKind): string {
  return `${kind === 'query' ? 'q' : 'd'}:${text}`;
}
