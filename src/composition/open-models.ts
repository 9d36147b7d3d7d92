import { createCachedEmbedder } from '../adapters/embedders/cached-embedder';
import { createHttpEmbedder } from '../adapters/embedders/http-embedder';
import { createLocalEmbedder } from '../adapters/embedders/local-embedder';
import { createPrefixedEmbedder } from '../adapters/embedders/prefixed-embedder';
import { createHttpReranker } from '../adapters/rerankers/http-reranker';
import { createLexicalReranker } from '../adapters/rerankers/lexical-reranker';
import type { Config } from '../config';
import type { Embedder, Reranker } from '../domain/ports';
import type { Metrics } from '../observability/metrics';
import { adapterBreakerOptions } from './breaker-options';

/** A model adapter and what closes it (a no-op for the built-in ones). */
export interface Opened<T> {
  value: T;
  close(): void;
}

/**
 * The HTTP embedder when EMBEDDING_URL is set, else the built-in one; given the instruction
 * prefixes (EMBEDDING_QUERY_PREFIX, EMBEDDING_DOCUMENT_PREFIX), then wrapped in the embedding
 * cache unless EMBEDDING_CACHE_SIZE is 0 (it keys on the kind, so on the prefix too).
 */
export function openEmbedder(config: Config, metrics?: Metrics): Opened<Embedder> {
  const { embedding } = config;
  const base = embedding.url
    ? createHttpEmbedder(
        {
          url: embedding.url,
          model: embedding.model,
          apiKey: embedding.apiKey,
          dimension: embedding.dimension,
          timeoutMs: embedding.timeoutMs,
          breaker: adapterBreakerOptions(config),
        },
        metrics,
      )
    : createLocalEmbedder({ dimension: embedding.dimension });
  const prefixed = createPrefixedEmbedder(base, embedding.prefixes);
  const value =
    embedding.cacheSize > 0 ? createCachedEmbedder(prefixed, { maxEntries: embedding.cacheSize }, metrics) : prefixed;
  return { value, close: () => closeIfClosable(base) };
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
          apiKey: rerank.apiKey,
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
