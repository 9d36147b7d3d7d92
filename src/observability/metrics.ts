import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RerankOutcome, RetrievalMode, SkippedStage } from '../domain/search';

/**
 * Every value of each fixed-set label, so each series exists at 0 from start-up (a dashboard
 * panel or a rate over a series that appears only at its first event shows nothing on a fresh
 * deployment). The `Record` types make the compiler reject a missing or unknown value.
 */
const FIXED_LABELS = {
  outcome: Object.keys({
    reranked: 0,
    skipped_early_exit: 0,
    skipped_lexical: 0,
    skipped_by_request: 0,
    skipped_deadline: 0,
    failed: 0,
    skipped_no_hits: 0,
  } satisfies Record<RerankOutcome, 0>),
  mode: Object.keys({ hybrid: 0, dense: 0, lexical: 0 } satisfies Record<RetrievalMode, 0>),
  stage: Object.keys({ dense_retrieval: 0, semantic_golden_answer: 0 } satisfies Record<SkippedStage, 0>),
  match: Object.keys({ exact: 0, semantic: 0 } satisfies Record<'exact' | 'semantic', 0>),
};

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Query embedding, the retrievers and their fusion. */
function retrievalMetrics(prefix: string, registers: Registry[]) {
  const metrics = {
    embeddingDuration: new Histogram({
      name: `${prefix}rag_embedding_duration_seconds`,
      help: 'Time to obtain a query embedding (a cache hit is near zero).',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    embeddingCacheHits: new Counter({
      name: `${prefix}rag_embedding_cache_hits_total`,
      help: 'Query embeddings answered from the cache.',
      registers,
    }),
    embeddingCacheMisses: new Counter({
      name: `${prefix}rag_embedding_cache_misses_total`,
      help: 'Query embeddings that had to be computed.',
      registers,
    }),
    vectorSearchDuration: new Histogram({
      name: `${prefix}rag_vector_search_duration_seconds`,
      help: 'Time to search one collection.',
      labelNames: ['collection'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    lexicalSearchDuration: new Histogram({
      name: `${prefix}rag_lexical_search_duration_seconds`,
      help: 'Time to search one collection lexically (BM25).',
      labelNames: ['collection'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    fusionDuration: new Histogram({
      name: `${prefix}rag_fusion_duration_seconds`,
      help: "Time to fuse the retrievers' hit lists into one ranking.",
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    retrievalModes: new Counter({
      name: `${prefix}rag_retrieval_mode_total`,
      help: 'Searches by the retrievers that ran: hybrid, dense or lexical.',
      labelNames: ['mode'] as const,
      registers,
    }),
  };
  for (const mode of FIXED_LABELS.mode) metrics.retrievalModes.inc({ mode }, 0);
  return metrics;
}

/** The rest of a search: reranking and its outcome, skipped stages, early exits, fan-out, golden answers. */
function pipelineMetrics(prefix: string, registers: Registry[]) {
  const metrics = {
    rerankingDuration: new Histogram({
      name: `${prefix}rag_reranking_duration_seconds`,
      help: 'Time to rerank the merged hits.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    pipelineDuration: new Histogram({
      name: `${prefix}rag_pipeline_duration_seconds`,
      help: 'Time of a whole search, from validation to response.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    rerankOutcomes: new Counter({
      name: `${prefix}rag_rerank_outcome_total`,
      help: 'Searches by what happened at the rerank stage: reranked, skipped (and why) or failed.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    skippedStages: new Counter({
      name: `${prefix}rag_skipped_stage_total`,
      help: 'Searches that went on without a stage (dense_retrieval, semantic_golden_answer) because the query could not be embedded.',
      labelNames: ['stage'] as const,
      registers,
    }),
    earlyExits: new Counter({
      name: `${prefix}rag_early_exit_total`,
      help: 'Searches whose top score was above the early-exit threshold, so reranking was skipped.',
      registers,
    }),
    parallelSearches: new Counter({
      name: `${prefix}rag_parallel_searches_total`,
      help: 'Searches that fanned out to more than one collection at once.',
      registers,
    }),
    goldenAnswerHits: new Counter({
      name: `${prefix}rag_golden_answer_hits_total`,
      help: 'Searches answered with a golden answer.',
      labelNames: ['match'] as const,
      registers,
    }),
  };
  for (const outcome of FIXED_LABELS.outcome) metrics.rerankOutcomes.inc({ outcome }, 0);
  for (const stage of FIXED_LABELS.stage) metrics.skippedStages.inc({ stage }, 0);
  for (const match of FIXED_LABELS.match) metrics.goldenAnswerHits.inc({ match }, 0);
  return metrics;
}

/** The database pool and its operations. */
function databaseMetrics(prefix: string, registers: Registry[]) {
  return {
    dbPoolSize: new Gauge({
      name: `${prefix}db_pool_size`,
      help: 'Connections open in the database pool.',
      registers,
    }),
    dbPoolIdle: new Gauge({
      name: `${prefix}db_pool_idle`,
      help: 'Idle connections in the database pool.',
      registers,
    }),
    dbPoolWaiting: new Gauge({
      name: `${prefix}db_pool_waiting`,
      help: 'Callers waiting for a database connection.',
      registers,
    }),
    dbPoolWait: new Histogram({
      name: `${prefix}db_pool_wait_seconds`,
      help: 'Time spent waiting to acquire a database connection.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: `${prefix}db_query_duration_seconds`,
      help: 'Time of one database operation (a query or a transaction), by operation.',
      labelNames: ['operation'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

/** Circuit breakers' state and events. */
function breakerMetrics(prefix: string, registers: Registry[]) {
  return {
    breakerState: new Gauge({
      name: `${prefix}circuit_breaker_state`,
      help: 'Circuit breaker state: 1 for the current state, 0 for the others.',
      labelNames: ['breaker', 'state'] as const,
      registers,
    }),
    breakerEvents: new Counter({
      name: `${prefix}circuit_breaker_events_total`,
      help: 'Circuit breaker events (success, failure, timeout, reject, open, halfOpen, close, fallback).',
      labelNames: ['breaker', 'event'] as const,
      registers,
    }),
  };
}

/** The expiry sweeper of memory facts. */
function memoryMetrics(prefix: string, registers: Registry[]) {
  return {
    factsSwept: new Counter({
      name: `${prefix}memory_facts_swept_total`,
      help: 'Expired facts deleted by the expiry sweeper (row and vector).',
      registers,
    }),
    factSweepDuration: new Histogram({
      name: `${prefix}memory_fact_sweep_duration_seconds`,
      help: 'Time of one sweep of expired facts.',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    factSweepLastRun: new Gauge({
      name: `${prefix}memory_fact_sweep_last_run_timestamp_seconds`,
      help: 'When the expiry sweeper last finished a sweep (Unix time); 0 before the first.',
      registers,
    }),
  };
}

/** Calls refused by the bearer-token check. */
function authMetrics(prefix: string, registers: Registry[]) {
  return {
    authDenied: new Counter({
      name: `${prefix}auth_denied_total`,
      help: 'Calls refused by the bearer-token check: missing_token, unknown_token (UNAUTHENTICATED), missing_scope (PERMISSION_DENIED).',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}

/** The grpc_server_* family (go-grpc-prometheus names, never prefixed). */
function grpcMetrics(registers: Registry[]) {
  return {
    grpcStarted: new Counter({
      name: 'grpc_server_started_total',
      help: 'Total number of RPCs started on the server.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method'] as const,
      registers,
    }),
    grpcHandled: new Counter({
      name: 'grpc_server_handled_total',
      help: 'Total number of RPCs completed on the server, regardless of success or failure.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'] as const,
      registers,
    }),
    grpcHandlingSeconds: new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

/**
 * Every metric recall exposes, in its own registry. Names are a public contract (docs/metrics.md); `prefix`
 * (METRICS_PREFIX) is prepended to the service's own metrics, not to the grpc_server_* ones.
 * Counters with a fixed set of label values start at 0 for each (FIXED_LABELS).
 */
export function createMetrics(prefix = 'recall_', options: { processMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // Registered in this order, which is the order /metrics lists them in.
  return {
    registry,
    ...retrievalMetrics(prefix, registers),
    ...pipelineMetrics(prefix, registers),
    ...databaseMetrics(prefix, registers),
    ...breakerMetrics(prefix, registers),
    ...memoryMetrics(prefix, registers),
    ...authMetrics(prefix, registers),
    ...grpcMetrics(registers),
  };
}

/** The service's metrics; see {@link createMetrics}. */
export type Metrics = ReturnType<typeof createMetrics>;
