import type { BenchOptions, Mode } from '../cli-options';
import { measureSerialMemoryReads } from '../ratios/serial-memory-reads';
import { summarizeLoad } from '../report/mode-result';
import type { Reporter } from '../report/progress';
import { round } from '../report/stats';
import type { RecallClients } from '../server/clients';
import { type MetricsSnapshot, scrapeMetrics } from '../server/metrics-scrape';
import { type HistogramSummary, type ServerMetrics, summarizeServerMetrics } from '../server/server-metrics';
import type { Corpus } from '../workload/corpus';
import { runLoad } from '../workload/load-runner';

/** How to load one server. */
export interface MeasureParams {
  mode: Mode;
  clients: RecallClients;
  metricsUrl: string | undefined;
  corpus: Corpus;
  users: number;
  concurrency: number;
  durationSeconds: number;
  requests: number | undefined;
  warmupSeconds: number;
  seed: number;
}

/** The load settings of MeasureParams, as the command line gave them. */
export function loadSettings(
  options: BenchOptions,
): Pick<MeasureParams, 'users' | 'concurrency' | 'durationSeconds' | 'requests' | 'warmupSeconds' | 'seed'> {
  const { users, concurrency, durationSeconds, requests, warmupSeconds, seed } = options;
  return { users, concurrency, durationSeconds, requests, warmupSeconds, seed };
}

/** The measured half of a mode's result. */
export type Measurement = ReturnType<typeof summarizeLoad> & {
  load: { benchCpuCoresBusy: number };
  serverMetrics: ServerMetrics | null;
  /** The memory reads' DB time with one call at a time, after the load (see serial-memory-reads.ts). */
  serialMemoryReads: HistogramSummary | null;
};

/**
 * Warms the server up (same mix, another random stream, not recorded), scrapes /metrics,
 * runs the measured load, scrapes again; both modes replay the same call sequence.
 */
export async function measureMode(params: MeasureParams, reporter: Reporter): Promise<Measurement> {
  const plan = {
    concurrency: params.concurrency,
    seed: params.seed,
    collections: params.corpus.collections.map((c) => c.name),
    users: params.users,
    queries: params.corpus.queries,
  };
  if (params.warmupSeconds > 0) {
    reporter.log(`${params.mode}: warming up for ${params.warmupSeconds} s`);
    await runLoad(params.clients, { ...plan, stream: 'warmup', durationMs: params.warmupSeconds * 1000 });
  }
  const before: MetricsSnapshot | undefined = params.metricsUrl ? await scrapeMetrics(params.metricsUrl) : undefined;
  const requests = params.requests;
  const byCount = requests !== undefined;
  const total = byCount ? requests : Math.round(params.durationSeconds);
  const bar = reporter.progress(`${params.mode} load (c=${params.concurrency})`, total, byCount ? 'calls' : 's');
  const cpuBefore = process.cpuUsage();
  const load = await runLoad(
    params.clients,
    {
      ...plan,
      stream: 'measure',
      ...(byCount ? { requests } : { durationMs: params.durationSeconds * 1000 }),
    },
    (completed, elapsedMs) => bar.update(byCount ? completed : Math.floor(elapsedMs / 1000)),
  );
  bar.stop();
  const cpu = process.cpuUsage(cpuBefore);
  const after = params.metricsUrl ? await scrapeMetrics(params.metricsUrl) : undefined;
  const summary = summarizeLoad(load, params.concurrency);
  const serialMemoryReads = params.metricsUrl
    ? await measureSerialMemoryReads(params.clients, params.metricsUrl, params.users, params.seed)
    : null;
  return {
    ...summary,
    load: { ...summary.load, benchCpuCoresBusy: round((cpu.user + cpu.system) / 1000 / load.wallMs, 2) },
    serverMetrics: before && after ? summarizeServerMetrics(before, after, load.wallMs / 1000) : null,
    serialMemoryReads,
  };
}
