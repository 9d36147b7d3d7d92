import { round } from '../report/stats';
import {
  type HistogramDelta,
  type LabelMatch,
  type MetricsSnapshot,
  counterDelta,
  histogramDelta,
  histogramQuantile,
} from './metrics-scrape';

/** The memory reads of the workload, as recall labels them in db_query_duration_seconds{operation}. */
export const MEMORY_READ_OPERATIONS = ['list_facts', 'list_conversations', 'get_user_stats'] as const;

/** A histogram over the run, in ms; p50/p95/p99 are bucket estimates (see histogramQuantile). */
export interface HistogramSummary {
  count: number;
  /** Exact: sum / count. */
  meanMs: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** True when a percentile fell beyond the last finite bucket (the value shown is that bound). */
  beyondLastBucket: boolean;
}

/** What recall's own metrics say about one run (the difference of two scrapes). */
export interface ServerMetrics {
  pipeline: HistogramSummary;
  /** All memory reads together, and each. */
  memoryReadQueries: HistogramSummary & { byOperation: Record<string, HistogramSummary> };
  /** Null when the database has no pool (PGlite) or nothing waited. */
  poolWait: HistogramSummary | null;
  reranking: HistogramSummary;
  vectorSearchPerCollection: HistogramSummary;
  earlyExit: { total: number; searches: number; rate: number };
  parallelSearches: number;
  /** CPU seconds recall used per second of the run (process_cpu_seconds_total; 1 = one core busy). */
  cpuCoresBusy: number;
  /**
   * Event-loop delay over the run (nodejs_eventloop_lag_*: prom-client resets it at each
   * scrape, so the second scrape covers the run). Its monitor samples every 10 ms, which the
   * figures include: about 10 ms means no lag.
   */
  eventLoopLagMs: { p50: number; p99: number; max: number } | null;
}

/** Summarises the change of recall's metrics between `before` and `after` (metric prefix `prefix`). */
export function summarizeServerMetrics(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  seconds: number,
  prefix = 'recall_',
): ServerMetrics {
  const histogram = (name: string, match: LabelMatch = {}) =>
    summarizeHistogram(histogramDelta(before, after, `${prefix}${name}`, match));
  const byOperation = Object.fromEntries(
    MEMORY_READ_OPERATIONS.map((operation) => [operation, histogram('db_query_duration_seconds', { operation })]),
  );
  const pipeline = histogram('rag_pipeline_duration_seconds');
  const earlyExits = counterDelta(before, after, `${prefix}rag_early_exit_total`);
  const hasPool = after.samples.some((s) => s.name === `${prefix}db_pool_wait_seconds_count`);
  const poolWait = histogram('db_pool_wait_seconds');
  return {
    pipeline,
    memoryReadQueries: {
      ...histogram('db_query_duration_seconds', { operation: MEMORY_READ_OPERATIONS }),
      byOperation,
    },
    poolWait: hasPool && poolWait.count > 0 ? poolWait : null,
    reranking: histogram('rag_reranking_duration_seconds'),
    vectorSearchPerCollection: histogram('rag_vector_search_duration_seconds'),
    earlyExit: {
      total: earlyExits,
      searches: pipeline.count,
      rate: pipeline.count > 0 ? round(earlyExits / pipeline.count, 4) : 0,
    },
    parallelSearches: counterDelta(before, after, `${prefix}rag_parallel_searches_total`),
    cpuCoresBusy: seconds > 0 ? round(counterDelta(before, after, 'process_cpu_seconds_total') / seconds, 2) : 0,
    eventLoopLagMs: eventLoopLag(after),
  };
}

function summarizeHistogram(delta: HistogramDelta): HistogramSummary {
  const estimates = [0.5, 0.95, 0.99].map((q) => histogramQuantile(delta, q));
  const ms = (i: number) => {
    const estimate = estimates[i];
    return estimate === undefined ? null : round(estimate.seconds * 1000);
  };
  return {
    count: delta.count,
    meanMs: delta.count > 0 ? round((delta.sum / delta.count) * 1000) : 0,
    p50Ms: ms(0),
    p95Ms: ms(1),
    p99Ms: ms(2),
    beyondLastBucket: estimates.some((e) => e?.aboveLastBucket === true),
  };
}

function eventLoopLag(after: MetricsSnapshot): ServerMetrics['eventLoopLagMs'] {
  const gauge = (name: string) => after.samples.find((s) => s.name === name)?.value;
  const [p50, p99, max] = ['p50', 'p99', 'max'].map((k) => gauge(`nodejs_eventloop_lag_${k}_seconds`));
  if (p50 === undefined || p99 === undefined || max === undefined) return null;
  return { p50: round(p50 * 1000), p99: round(p99 * 1000), max: round(max * 1000) };
}
