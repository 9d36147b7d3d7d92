import type { Pool } from 'pg';
import type { Metrics } from '../../observability/metrics';

/**
 * Keeps `db_pool_size`, `db_pool_idle` and `db_pool_waiting` equal to the pool's counters:
 * refreshed on every pool event. Returns the refresh function, for call sites that change
 * the counters without an event (a caller giving up while waiting).
 */
export function bindPoolMetrics(pool: Pool, metrics: Metrics | undefined): () => void {
  if (!metrics) return () => {};
  const refresh = () => {
    metrics.dbPoolSize.set(pool.totalCount);
    metrics.dbPoolIdle.set(pool.idleCount);
    metrics.dbPoolWaiting.set(pool.waitingCount);
  };
  // pg-pool emits some events before it updates its counters: refresh again on the next tick.
  const onEvent = () => {
    refresh();
    setImmediate(refresh);
  };
  for (const event of ['connect', 'acquire', 'release', 'remove'] as const) pool.on(event, onEvent);
  refresh();
  return refresh;
}
