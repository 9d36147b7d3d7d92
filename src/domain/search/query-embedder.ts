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
 * Embeds queries through `embedder`, observing `embeddingDuration` for each call that reaches
 * it. With `cacheSize` > 0 it also keeps an LRU cache of that many query vectors (counted in
 * `embeddingCacheHits`/`Misses`); 0, the default, leaves caching to the embedder itself (the
 * composition root wraps it in the adapters' cached embedder), so nothing is counted twice.
 * Only finished embeddings are cached, so one caller's cancellation never fails another's.
 */
export function createQueryEmbedder(embedder: Embedder, cacheSize: number, metrics?: SearchMetrics): QueryEmbedder {
  const cache = new Map<string, number[]>();

  return {
    async embed(text, ctx) {
      const cached = cacheSize > 0 ? cache.get(text) : undefined;
      if (cached) {
        cache.delete(text);
        cache.set(text, cached);
        metrics?.embeddingCacheHits.inc();
        return { vector: cached, ms: 0 };
      }
      if (cacheSize > 0) metrics?.embeddingCacheMisses.inc();
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
