import path from 'node:path';
import type { BenchOptions, Mode } from '../cli-options';
import { type DirectSearch, openEmbeddedDirect, openMilvusDirect } from '../ratios/direct-search';
import { type RatioResult, type SkippedRatio, measureRatios } from '../ratios/ratios';
import { type MachineInfo, busyMachineWarning, machineInfo, versions } from '../report/machine-info';
import { type ModeResult, RESULT_SCHEMA } from '../report/mode-result';
import type { Reporter } from '../report/progress';
import { type TableRow, buildTable } from '../report/report-table';
import { type WrittenFiles, fileStamp, writeBothResult, writeModeResult } from '../report/results-writer';
import { type BenchBackends, provideBenchBackends } from '../server/backends';
import { openBareRoundTrip } from '../server/bare-round-trip';
import { type RecallClients, connectRecall } from '../server/clients';
import { ensureBuild } from '../server/ensure-build';
import { PROJECT_ROOT, type RecallProcess, startRecall } from '../server/recall-process';
import { removeBenchData } from '../server/shared-cleanup';
import type { Corpus } from '../workload/corpus';
import { DIMENSION, corpusOf, memoryOptions, recordedOptions } from '../workload/run-inputs';
import { type SeedSummary, seed } from '../workload/seed';
import { loadSettings, measureMode } from './mode-runner';
import { runAgainstTarget } from './target-run';

/** What a run produced. */
export interface BenchOutcome {
  results: ModeResult[];
  table: TableRow[] | undefined;
  files: WrittenFiles[];
}

/** The switches that make the baseline the pipeline before the report's fixes (indexes: see setMemoryIndexes). */
export const BASELINE_ENV: Readonly<Record<string, string>> = Object.freeze({
  SEARCH_FAN_OUT: 'sequential',
  SEARCH_EARLY_EXIT_ENABLED: 'false',
  PG_POOL_MAX: '10',
  // recall would otherwise apply migration 003 again at start and bring the indexes back.
  MIGRATE_ON_START: 'false',
});

/** Runs the benchmark as the options say: recall started per mode, or the server given by --target. */
export async function runBenchmark(
  options: BenchOptions,
  reporter: Reporter,
  registerCleanup: (cleanup: () => Promise<void>) => void,
): Promise<BenchOutcome> {
  return options.target ? runAgainstTarget(options, reporter) : runManaged(options, reporter, registerCleanup);
}

async function runManaged(
  options: BenchOptions,
  reporter: Reporter,
  registerCleanup: (cleanup: () => Promise<void>) => void,
): Promise<BenchOutcome> {
  const machine = machineInfo();
  const busy = busyMachineWarning(machine);
  if (busy) reporter.log(`WARNING: ${busy}`);
  ensureBuild(reporter.log);
  const stamp = fileStamp();
  const corpus = corpusOf(options);
  const memory = memoryOptions(options);
  const collections = corpus.collections.map((c) => c.name);
  reporter.log(
    `corpus: ${collections.length} collections × ${options.docsPerCollection} docs, ${corpus.queries.length} queries; ` +
      `memory: ${options.users} users × ${options.factsPerUser} facts, ${options.conversationsPerUser} conversations`,
  );
  const backends = await provideBenchBackends(options);
  const running = new Set<RecallProcess>();
  let closed = false;
  const closeAll = async () => {
    if (closed) return;
    closed = true;
    for (const server of running) await server.stop().catch(() => undefined);
    await backends.close();
  };
  registerCleanup(closeAll);
  const start = async (label: string, env: Record<string, string>) => {
    const nodeArgs = options.cpuProfile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${path.join(options.outDir, 'profiles')}`,
          `--cpu-prof-name=${stamp}-${label}.cpuprofile`,
        ]
      : [];
    const server = await startRecall(label, { ...env, SEARCH_DEFAULT_COLLECTIONS: collections.join(',') }, nodeArgs);
    running.add(server);
    return server;
  };
  const stop = async (server: RecallProcess) => {
    await server.stop();
    running.delete(server);
  };

  try {
    reporter.log(`backends: ${backends.description.database}; ${backends.description.vectors}`);
    reporter.log(`reranker: ${backends.description.reranker}`);
    const seeder = await start('seed', backends.env());
    const seedClients = connectRecall(seeder.grpcAddress);
    let seeded: SeedSummary;
    try {
      seeded = await seed(seedClients, corpus, memory, reporter);
    } finally {
      seedClients.close();
      await stop(seeder);
    }
    reporter.log(`seeded in ${seeded.seconds} s`);
    await backends.analyze();

    const wantRatios = options.modes.includes('compare') && !options.skipRatios;
    const embeddedVectors = !backends.milvusAddress;
    const sequentialDir =
      wantRatios && (embeddedVectors || !backends.databaseUrl) ? backends.copyDataDir('sequential') : undefined;
    const floorDir = wantRatios && embeddedVectors ? backends.copyDataDir('floor') : undefined;
    const memorySqlDir = wantRatios && !backends.databaseUrl ? backends.copyDataDir('memory-sql') : undefined;

    const results: ModeResult[] = [];
    const files: WrittenFiles[] = [];
    for (const mode of options.modes) {
      const last = mode === options.modes.at(-1);
      const result = await runMode(mode, {
        options,
        machine,
        backends,
        corpus,
        seeded,
        reporter,
        start,
        stop,
        sequentialDir,
        floorDir,
        memorySqlDir,
        wantRatios,
        onLastServer:
          last && backends.shared
            ? (clients) => removeBenchData(clients, corpus, options.users, seeded.goldenAnswerIds)
            : undefined,
      });
      results.push(result);
      files.push(writeModeResult(options.outDir, stamp, result));
    }
    let table: TableRow[] | undefined;
    if (results.length === 2) {
      table = buildTable(results[0]!, results[1]!);
      files.push(writeBothResult(options.outDir, stamp, results[0]!, results[1]!, table));
    }
    await backends.setMemoryIndexes(true);
    return { results, table, files };
  } finally {
    await closeAll();
  }
}

interface ModeContext {
  options: BenchOptions;
  machine: MachineInfo;
  backends: BenchBackends;
  corpus: Corpus;
  seeded: SeedSummary;
  reporter: Reporter;
  start(label: string, env: Record<string, string>): Promise<RecallProcess>;
  stop(server: RecallProcess): Promise<void>;
  sequentialDir: string | undefined;
  floorDir: string | undefined;
  /** A copy of the PGlite data for the SQL-only memory-read ratio (undefined on PostgreSQL). */
  memorySqlDir: string | undefined;
  wantRatios: boolean;
  onLastServer: ((clients: RecallClients) => Promise<void>) | undefined;
}

async function runMode(mode: Mode, ctx: ModeContext): Promise<ModeResult> {
  const { options, backends, reporter } = ctx;
  const startedAt = new Date().toISOString();
  const changed = await backends.setMemoryIndexes(mode === 'compare');
  if (changed.length > 0)
    reporter.log(`${mode}: migration ${mode === 'compare' ? 'applied' : 'reverted'}: ${changed.join(', ')}`);
  const modeEnv: Record<string, string> = mode === 'baseline' ? { ...BASELINE_ENV } : {};
  const server = await ctx.start(mode, { ...backends.env(), ...modeEnv });
  const clients = connectRecall(server.grpcAddress);
  try {
    reporter.log(
      `${mode}: recall is up (${
        Object.entries(modeEnv)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'defaults'
      })`,
    );
    const measured = await measureMode(
      {
        mode,
        clients,
        metricsUrl: server.metricsUrl,
        corpus: ctx.corpus,
        ...loadSettings(options),
      },
      reporter,
    );
    let ratios: Array<RatioResult | SkippedRatio> | null = null;
    if (mode === 'compare' && ctx.wantRatios) {
      try {
        ratios = await runRatios(ctx, clients, server.grpcAddress);
      } catch (error) {
        // The measured load is worth keeping even when the comparisons cannot run.
        const reason = error instanceof Error ? error.message : String(error);
        reporter.log(`side-by-side ratios failed: ${reason}`);
        ratios = [{ name: 'side-by-side ratios', skipped: `failed: ${reason}` }];
      }
    }
    if (ctx.onLastServer) {
      reporter.log('removing the benchmark data from the shared backends');
      await ctx.onLastServer(clients);
    }
    const { earlyExitFromResponses, nearExactExited, ...rest } = measured;
    return {
      schema: RESULT_SCHEMA,
      mode,
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: ctx.machine,
      versions: versions(PROJECT_ROOT),
      options: recordedOptions(options),
      backends: backends.description,
      server: { env: modeEnv, memoryIndexes: mode === 'baseline' ? 'absent' : 'present' },
      seed: ctx.seeded,
      ...rest,
      earlyExit: {
        fromResponses: earlyExitFromResponses,
        fromMetrics: measured.serverMetrics?.earlyExit.rate ?? null,
        nearExactExited,
        nearExactShareOfQueries: options.nearExactShare,
      },
      serverProblems: server.problems,
      ratios,
    };
  } finally {
    clients.close();
    await ctx.stop(server);
  }
}

async function runRatios(
  ctx: ModeContext,
  clients: RecallClients,
  address: string,
): Promise<Array<RatioResult | SkippedRatio>> {
  const { backends, options } = ctx;
  const sequentialServer = await ctx.start('sequential', {
    ...backends.env(ctx.sequentialDir),
    SEARCH_FAN_OUT: 'sequential',
    MIGRATE_ON_START: 'false',
  });
  const sequential = connectRecall(sequentialServer.grpcAddress);
  const bareRoundTrip = openBareRoundTrip(address);
  let direct: DirectSearch | undefined;
  try {
    direct = backends.milvusAddress
      ? openMilvusDirect(backends.milvusAddress)
      : await openEmbeddedDirect(ctx.floorDir!);
    return await measureRatios(
      {
        clients,
        sequential,
        direct,
        bareRoundTrip,
        memorySql: backends.databaseUrl
          ? { postgresUrl: backends.databaseUrl }
          : ctx.memorySqlDir
            ? { pgliteDataDir: ctx.memorySqlDir }
            : undefined,
        databaseUrl: backends.databaseUrl,
        collections: ctx.corpus.collections.map((c) => c.name),
        queries: ctx.corpus.queries,
        users: options.users,
        pairs: options.pairs,
        seed: options.seed,
        dimension: DIMENSION,
      },
      ctx.reporter,
    );
  } finally {
    bareRoundTrip.close();
    await direct?.close();
    sequential.close();
    await ctx.stop(sequentialServer);
  }
}
