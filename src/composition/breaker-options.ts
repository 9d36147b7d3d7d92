import type { Config } from '../config';
import type { BreakerOptions } from '../domain/breaker';

/**
 * The BREAKER_* tuning every adapter's breaker shares (postgres, embedder, reranker); each
 * keeps its own per-call timeout setting (PG_STATEMENT_TIMEOUT_MS, EMBEDDING_TIMEOUT_MS, ...).
 */
export function adapterBreakerOptions(config: Config): Omit<BreakerOptions, 'name' | 'timeoutMs'> {
  const { resetTimeoutMs, errorThresholdPercentage, volumeThreshold, rollingCountTimeoutMs } = config.breaker;
  return { resetTimeoutMs, errorThresholdPercentage, volumeThreshold, rollingCountTimeoutMs };
}
