import type { CallContext } from '../context';
import { RecallError } from '../errors';
import type { Embedder } from '../ports';
import { msSince, now, type SearchMetrics } from './search-observability';

/** A query vector and how long it took (0 when the cache answered). */
export interface QueryEmbedding {
  vector: number[];
  ms: number;
}

/** Embeds one query text, remembering the most recent ones. */
export interface QueryEmbedder {
  embed(text: string, ctx: CallContext): Promise<QueryEmbedding>;
}

/**
 * Wraps `embedder` with an LRU cache of `cacheSize` query vectors (0 disables it). Only
 * finished embeddings are cached, so one caller's cancellation never fails another's search.
 * `embeddingDuration` is observed on cache misses only.
 */
export function createQueryEmbedder(embedder: Embedder, cacheSize: number, metrics?: SearchMetrics): QueryEmbedder {
  const cache = new Map<string, number[]>();

  return {
    async embed(text, ctx) {
      const cached = cache.get(text);
      if (cached) {
        cache.delete(text);
        cache.set(text, cached);
        metrics?.embeddingCacheHits.inc();
        return { vector: cached, ms: 0 };
      }
      metrics?.embeddingCacheMisses.inc();
      const start = now();
      const [vector] = await embedder.embed([text], ctx);
      const ms = msSince(start);
      if (!vector || vector.length !== embedder.dimension) {
        throw new RecallError('internal', `embedder ${embedder.name} returned a malformed vector`);
      }
      metrics?.embeddingDuration.observe(ms / 1000);
      if (cacheSize > 0) {
        cache.set(text, vector);
        if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      }
      return { vector, ms };
    },
  };
}
