import type { BenchOptions, Mode } from '../cli-options';
import type { RatioResult, SkippedRatio } from '../ratios/ratios';
import type { BenchBackends } from '../server/backends';
import type { HistogramSummary, ServerMetrics } from '../server/server-metrics';
import type { LoadResult, OperationName } from '../workload/load-runner';
import type { SeedSummary } from '../workload/seed';
import type { MachineInfo, Versions } from './machine-info';
import { type LatencySummary, quantile, round, summarize } from './stats';

/** Version of the results' JSON shape; bump it when a field changes meaning. */
export const RESULT_SCHEMA = 'recall-bench/1';

/** The latency series a run reports, client-side. */
export type SeriesName = OperationName | 'search_near_exact' | 'search_vague';

/** Everything one mode measured: what `bench/results/<timestamp>-<mode>.json` holds. */
export interface ModeResult {
  schema: typeof RESULT_SCHEMA;
  mode: Mode;
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  versions: Versions;
  options: Omit<BenchOptions, 'outDir' | 'modes'>;
  backends: BenchBackends['description'] | { target: string };
  server: {
    /** The variables that make this mode what it is (on top of the backends'). */
    env: Record<string, string>;
    memoryIndexes: 'present' | 'absent' | 'as configured by the operator';
  };
  seed: SeedSummary | null;
  load: {
    concurrency: number;
    measuredSeconds: number;
    completed: number;
    throughputPerSecond: number;
    searchesPerSecond: number;
    errors: Record<string, number>;
    errorRate: number;
    /** CPU the benchmark process itself used (load generator and model server), cores. */
    benchCpuCoresBusy: number;
  };
  /** Client-side latency per series, ms. */
  latencyMs: Record<SeriesName, LatencySummary>;
  /** 101 points per series: the 0th, 1st, …, 100th percentile in ms (for charts and later comparison). */
  percentileLadderMs: Record<SeriesName, number[]>;
  earlyExit: {
    /** Searches answered with early_exit: true / searches answered. */
    fromResponses: number;
    /** rag_early_exit_total / searches counted by rag_pipeline_duration_seconds (null without metrics). */
    fromMetrics: number | null;
    /** Share of near-exact queries that exited early. */
    nearExactExited: number;
    nearExactShareOfQueries: number;
  };
  serverMetrics: ServerMetrics | null;
  /** The memory reads' DB time with one call at a time, after the load (null without metrics; see serial-memory-reads.ts). */
  serialMemoryReads: HistogramSummary | null;
  /** Warnings and errors recall logged during the run. */
  serverProblems: string[];
  ratios: Array<RatioResult | SkippedRatio> | null;
}

const ladder = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? [] : Array.from({ length: 101 }, (_, i) => round(quantile(sorted, i / 100)));
};

/** The client-side half of a ModeResult, from one measured load. */
export function summarizeLoad(load: LoadResult, concurrency: number) {
  const series: Record<SeriesName, number[]> = {
    ...load.latencies,
    search_near_exact: load.searchByKind.near_exact,
    search_vague: load.searchByKind.vague,
  };
  const seconds = load.wallMs / 1000;
  const errors = Object.values(load.errors).reduce((s, n) => s + n, 0);
  const s = load.searches;
  return {
    load: {
      concurrency,
      measuredSeconds: round(seconds, 2),
      completed: load.completed,
      throughputPerSecond: round(load.completed / seconds, 1),
      searchesPerSecond: round(s.ok / seconds, 1),
      errors: load.errors,
      errorRate: load.completed > 0 ? round(errors / load.completed, 4) : 0,
    },
    latencyMs: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, summarize(v)])) as Record<
      SeriesName,
      LatencySummary
    >,
    percentileLadderMs: Object.fromEntries(Object.entries(series).map(([k, v]) => [k, ladder(v)])) as Record<
      SeriesName,
      number[]
    >,
    earlyExitFromResponses: s.ok > 0 ? round(s.earlyExit / s.ok, 4) : 0,
    nearExactExited: s.nearExact > 0 ? round(s.nearExactEarlyExit / s.nearExact, 4) : 0,
  };
}
