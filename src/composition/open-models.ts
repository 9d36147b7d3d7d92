import { createCachedEmbedder } from '../adapters/embedders/cached-embedder';
import { createHttpEmbedder } from '../adapters/embedders/http-embedder';
import { createLocalEmbedder } from '../adapters/embedders/local-embedder';
import { createPrefixedEmbedder } from '../adapters/embedders/prefixed-embedder';
import { createHttpReranker } from '../adapters/rerankers/http-reranker';
import { createLexicalReranker } from '../adapters/rerankers/lexical-reranker';
import type { Config } from '../config';
import { type GuardedEmbedder, guardEmbedder } from '../domain/embedder-breaker';
import type { Embedder, Reranker } from '../domain/ports';
import type { Metrics } from '../observability/metrics';
import { createBreaker } from '../resilience/breaker';
import { adapterBreakerOptions } from './breaker-options';

/** A model adapter and what closes it (a no-op for the built-in ones). */
export interface Opened<T> {
  value: T;
  close(): void;
}

/** The embedder, the same model without the shared cache (for people's memories), and its breaker. */
export interface OpenedEmbedder extends Opened<Embedder> {
  uncached: Embedder;
  guard: GuardedEmbedder;
}

/**
 * The HTTP embedder when EMBEDDING_URL is set, else the built-in one; given the instruction
 * prefixes (EMBEDDING_QUERY_PREFIX, EMBEDDING_DOCUMENT_PREFIX), behind the `embedder` circuit
 * breaker (BREAKER_* tuning; no timeout of its own: EMBEDDING_TIMEOUT_MS bounds each HTTP
 * attempt), then wrapped in the embedding cache unless EMBEDDING_CACHE_SIZE is 0 (it keys on
 * the kind, so on the prefix too) — outside the breaker, so cached queries are answered while
 * it is open. `uncached` skips the cache, not the breaker: the texts it sees (facts, recall
 * queries) are a user's data, which ForgetUser must leave nowhere.
 */
export function openEmbedder(config: Config, metrics?: Metrics): OpenedEmbedder {
  const { embedding } = config;
  const base = embedding.url
    ? createHttpEmbedder({
        url: embedding.url,
        model: embedding.model,
        ...(embedding.apiKey !== undefined && { apiKey: embedding.apiKey }),
        dimension: embedding.dimension,
        timeoutMs: embedding.timeoutMs,
      })
    : createLocalEmbedder({ dimension: embedding.dimension });
  const prefixed = createPrefixedEmbedder(base, embedding.prefixes);
  const guard = guardEmbedder(
    prefixed,
    createBreaker({ ...adapterBreakerOptions(config), name: 'embedder', timeoutMs: false }, metrics),
  );
  const value =
    embedding.cacheSize > 0 ? createCachedEmbedder(guard, { maxEntries: embedding.cacheSize }, metrics) : guard;
  return { value, uncached: guard, guard, close: () => guard.breaker.shutdown() };
}

/** The HTTP reranker when RERANK_URL is set, else the built-in lexical one. */
export function openReranker(config: Config, metrics?: Metrics): Opened<Reranker> {
  const { rerank } = config;
  const value = rerank.url
    ? createHttpReranker(
        {
          url: rerank.url,
          format: rerank.format,
          model: rerank.model,
          ...(rerank.apiKey !== undefined && { apiKey: rerank.apiKey }),
          timeoutMs: rerank.timeoutMs,
          breaker: adapterBreakerOptions(config),
        },
        metrics,
      )
    : createLexicalReranker();
  return { value, close: () => closeIfClosable(value) };
}

function closeIfClosable(adapter: object): void {
  if ('close' in adapter && typeof adapter.close === 'function') adapter.close();
}
