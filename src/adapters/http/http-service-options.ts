import type { BreakerOptions } from '../../domain/breaker';
import type { RetryPolicy } from './retry';

/**
 * What every model service reached over HTTP is configured with (the embedder and the
 * reranker add their own fields and state their defaults).
 */
export interface HttpServiceOptions {
  /** Base URL; the adapter accepts it with or without its API prefix, or as the full endpoint. */
  url: string;
  /** Sent as a bearer token; never logged. */
  apiKey?: string;
  /** Texts per request (the embedder's ceiling: its batches adapt to the model's latency). */
  batchSize?: number;
  /** Requests in flight for one large call (the embedder's ceiling, shared by all its calls). */
  maxConcurrentBatches?: number;
  /** Per-attempt timeout in ms; the caller's deadline shortens it. */
  timeoutMs?: number;
  /** Retries after a 408, 429, 5xx or network failure. */
  maxRetries?: number;
  /** Backoff tuning; defaults in DEFAULT_RETRY_POLICY. */
  retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>;
  /** Breaker tuning; the breaker is named after the service (`embedder`, `reranker`). */
  breaker?: Omit<BreakerOptions, 'name'>;
  /** Extra request headers (e.g. an organisation id). */
  headers?: Record<string, string>;
}
