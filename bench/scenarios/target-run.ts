import type { BenchOptions } from '../cli-options';
import { openMilvusDirect } from '../ratios/direct-search';
import { type RatioResult, type SkippedRatio, measureRatios } from '../ratios/ratios';
import { busyMachineWarning, machineInfo, versions } from '../report/machine-info';
import { type ModeResult, RESULT_SCHEMA } from '../report/mode-result';
import type { Reporter } from '../report/progress';
import { type WrittenFiles, fileStamp, writeModeResult } from '../report/results-writer';
import { openBareRoundTrip } from '../server/bare-round-trip';
import { connectRecall } from '../server/clients';
import { PROJECT_ROOT } from '../server/recall-process';
import { DIMENSION, corpusOf, memoryOptions, recordedOptions } from '../workload/run-inputs';
import { seed } from '../workload/seed';
import { loadSettings, measureMode } from './mode-runner';

/**
 * Drives the recall given by --target, configured by its operator: seeds it (unless
 * --skip-seed), measures one mode, and runs the ratios that need no second server (direct
 * Milvus with MILVUS_ADDRESS, raw pg with DATABASE_URL).
 */
export async function runAgainstTarget(
  options: BenchOptions,
  reporter: Reporter,
): Promise<{ results: ModeResult[]; table: undefined; files: WrittenFiles[] }> {
  const mode = options.modes[0]!;
  const machine = machineInfo();
  const busy = busyMachineWarning(machine);
  if (busy) reporter.log(`WARNING: ${busy}`);
  const stamp = fileStamp();
  const corpus = corpusOf(options);
  const clients = connectRecall(options.target!);
  const startedAt = new Date().toISOString();
  try {
    const seeded = options.skipSeed ? null : await seed(clients, corpus, memoryOptions(options), reporter);
    const measured = await measureMode(
      {
        mode,
        clients,
        metricsUrl: options.targetMetricsUrl,
        corpus,
        ...loadSettings(options),
      },
      reporter,
    );
    let ratios: Array<RatioResult | SkippedRatio> | null = null;
    if (!options.skipRatios) {
      const milvus = process.env.MILVUS_ADDRESS;
      const direct = milvus ? openMilvusDirect(milvus) : undefined;
      const bareRoundTrip = openBareRoundTrip(options.target!);
      try {
        ratios = await measureRatios(
          {
            clients,
            sequential: undefined,
            sequentialUnavailable: 'with --target the benchmark starts no second (sequential) server',
            direct,
            directUnavailable: 'with --target, set MILVUS_ADDRESS to the Milvus the server uses',
            bareRoundTrip,
            memorySql: process.env.DATABASE_URL ? { postgresUrl: process.env.DATABASE_URL } : undefined,
            databaseUrl: process.env.DATABASE_URL,
            collections: corpus.collections.map((c) => c.name),
            queries: corpus.queries,
            users: options.users,
            pairs: options.pairs,
            seed: options.seed,
            dimension: DIMENSION,
          },
          reporter,
        );
      } finally {
        bareRoundTrip.close();
        await direct?.close();
      }
    }
    const { earlyExitFromResponses, nearExactExited, ...rest } = measured;
    const result: ModeResult = {
      schema: RESULT_SCHEMA,
      mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine,
      versions: versions(PROJECT_ROOT),
      options: recordedOptions(options),
      backends: { target: 'a running recall given with --target' },
      server: { env: {}, memoryIndexes: 'as configured by the operator' },
      seed: seeded,
      ...rest,
      earlyExit: {
        fromResponses: earlyExitFromResponses,
        fromMetrics: measured.serverMetrics?.earlyExit.rate ?? null,
        nearExactExited,
        nearExactShareOfQueries: options.nearExactShare,
      },
      serverProblems: [],
      ratios,
    };
    return { results: [result], table: undefined, files: [writeModeResult(options.outDir, stamp, result)] };
  } finally {
    clients.close();
  }
}
