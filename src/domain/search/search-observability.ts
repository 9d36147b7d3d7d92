/**
 * What the search domain reports about itself. Structural interfaces, so the domain does not
 * depend on prom-client: the composition root passes the service's `Metrics` (which satisfies
 * `SearchMetrics`) and its pino logger (which satisfies `SearchLogger`).
 */
import { performance } from 'node:perf_hooks';

interface Observer {
  observe(value: number): void;
}
interface LabelledObserver<L extends string> {
  observe(labels: Record<L, string>, value: number): void;
  /** Drops one label set's series (a forgotten collection's). */
  remove(labels: Record<L, string>): void;
}
interface Incrementer {
  inc(value?: number): void;
}
interface LabelledIncrementer<L extends string> {
  inc(labels: Record<L, string>, value?: number): void;
}

/** The subset of the service's metrics the search pipeline records (durations in seconds). */
export interface SearchMetrics {
  embeddingDuration: Observer;
  vectorSearchDuration: LabelledObserver<'collection'>;
  rerankingDuration: Observer;
  pipelineDuration: Observer;
  earlyExits: Incrementer;
  parallelSearches: Incrementer;
  goldenAnswerHits: LabelledIncrementer<'match'>;
  /** Optional so callers built before hybrid search still satisfy the interface. */
  lexicalSearchDuration?: LabelledObserver<'collection'>;
  fusionDuration?: Observer;
  /** Searches by the retrieval mode that ran (hybrid, dense, lexical). */
  retrievalModes?: LabelledIncrementer<'mode'>;
  /** Searches by what happened at the rerank stage (RerankOutcome, lower case: `reranked`, `skipped_lexical`, …). */
  rerankOutcomes?: LabelledIncrementer<'outcome'>;
  /** Searches that went on without a stage (`dense_retrieval`, `semantic_golden_answer`) because the query could not be embedded. */
  skippedStages?: LabelledIncrementer<'stage'>;
}

/** Where best-effort failures go (they never fail a call, but must not vanish). */
export interface SearchLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: SearchLogger = { warn: () => undefined };

/** A monotonic timestamp in milliseconds, for {@link msSince}. */
export function now(): number {
  return performance.now();
}

/** Milliseconds elapsed since `start` (a value of {@link now}). */
export function msSince(start: number): number {
  return performance.now() - start;
}
