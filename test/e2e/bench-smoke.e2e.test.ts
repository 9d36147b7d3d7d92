import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireService } from '../support/require-service';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** A benchmark small enough for the test suite: the shape of its output is what is checked, never its timings. */
const TINY = [
  '--quick',
  '--quiet',
  '--collections',
  '2',
  '--docs',
  '40',
  '--queries',
  '50',
  '--users',
  '3',
  '--facts',
  '15',
  '--conversations',
  '3',
  '--concurrency',
  '4',
  '--duration',
  '2',
  '--warmup',
  '0.5',
  '--pairs',
  '4',
  '--rerank-latency-ms',
  '5',
];

interface RunOutput {
  stdout: string;
  files: string[];
  read(suffix: string): Record<string, unknown>;
}

function runBench(args: string[], outDir: string, env: Record<string, string> = {}): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      TSX,
      ['bench/run.ts', ...TINY, ...args, '--out', outDir],
      // Backends come from the flags and `env` only, never from a DATABASE_URL / MILVUS_ADDRESS the suite runs with.
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: undefined, MILVUS_ADDRESS: undefined, ...env },
        timeout: 240_000,
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`bench failed: ${error.message}\n${stderr}`));
        const files = readdirSync(outDir);
        resolve({
          stdout,
          files,
          read(suffix) {
            const file = files.find((f) => f.endsWith(suffix));
            if (!file) throw new Error(`no *${suffix} among ${files.join(', ')}`);
            return JSON.parse(readFileSync(path.join(outDir, file), 'utf8')) as Record<string, unknown>;
          },
        });
      },
    );
  });
}

const latencySummary = {
  count: expect.any(Number),
  mean: expect.any(Number),
  p50: expect.any(Number),
  p95: expect.any(Number),
  p99: expect.any(Number),
};

function expectModeShape(result: Record<string, unknown>, mode: string): void {
  expect(result).toMatchObject({
    schema: 'recall-bench/1',
    mode,
    machine: { cpus: expect.any(Number), memoryGiB: expect.any(Number), node: process.version, os: expect.any(String) },
    versions: { recall: expect.any(String), '@grpc/grpc-js': expect.any(String) },
    options: { collections: 2, docsPerCollection: 40, concurrency: 4 },
    seed: { documents: 80, users: 3, facts: 45, conversations: 9 },
    load: { concurrency: 4, completed: expect.any(Number), throughputPerSecond: expect.any(Number), errorRate: 0 },
    latencyMs: { search: latencySummary, search_near_exact: latencySummary, search_vague: latencySummary },
    earlyExit: { fromResponses: expect.any(Number), fromMetrics: expect.any(Number) },
    serverMetrics: {
      pipeline: { count: expect.any(Number), meanMs: expect.any(Number) },
      memoryReadQueries: { byOperation: { list_facts: expect.any(Object), get_user_stats: expect.any(Object) } },
    },
  });
  const ladder = (result.percentileLadderMs as Record<string, number[]>).search;
  expect(ladder).toHaveLength(101);
  expect((result.latencyMs as Record<string, { count: number }>).search?.count).toBeGreaterThan(0);
}

describe('npm run bench at a tiny size', () => {
  let outDir: string;

  beforeEach(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'recall-bench-smoke-'));
  });

  afterEach(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('runs --both on the embedded default and writes both modes, the table and the summaries', async () => {
    const run = await runBench(['--both'], outDir);

    expectModeShape(run.read('-baseline.json'), 'baseline');
    const compare = run.read('-compare.json');
    expectModeShape(compare, 'compare');
    expect(run.read('-baseline.json')).toMatchObject({
      server: { env: { SEARCH_FAN_OUT: 'sequential', SEARCH_EARLY_EXIT_ENABLED: 'false', PG_POOL_MAX: '10' } },
    });
    const pgOnly = expect.stringContaining('PGlite');
    expect(compare.ratios).toEqual([
      expect.objectContaining({
        name: 'search through recall / direct vector search',
        medianRatio: expect.any(Number),
      }),
      expect.objectContaining({
        id: 'search_vs_direct_plus_round_trip',
        medianRatio: expect.any(Number),
      }),
      expect.objectContaining({ name: 'fan-out: 2 collections parallel / 1 collection', pairs: 4 }),
      expect.objectContaining({ name: 'fan-out: 2 collections parallel / sequential', pairs: 4 }),
      expect.objectContaining({ name: 'ListFacts through recall / raw pg', skipped: pgOnly }),
      expect.objectContaining({ name: 'ListFacts through recall / raw pg + one bare round trip', skipped: pgOnly }),
      expect.objectContaining({ name: 'raw pg ListFacts SQL: named prepared / unnamed', skipped: pgOnly }),
      expect.objectContaining({ name: 'reranked query / early-exit query', medianRatio: expect.any(Number) }),
      expect.objectContaining({ id: 'early_exit_vs_reranked', medianRatio: expect.any(Number) }),
      expect.objectContaining({ id: 'hybrid_vs_dense', medianRatio: expect.any(Number) }),
      expect.objectContaining({ id: 'recall_facts_hybrid_vs_dense', medianRatio: expect.any(Number) }),
      expect.objectContaining({ name: 'memory reads as SQL: compare / baseline', medianRatio: expect.any(Number) }),
    ]);

    const both = run.read('-both.json');
    expect((both.table as Array<{ metric: string }>).map((row) => row.metric)).toEqual([
      'search pipeline p50',
      'search pipeline p95',
      'search pipeline p99',
      'search pipeline mean',
      'DB query time, memory reads (mean)',
      'DB query time, memory reads, one call at a time (mean)',
      'early-exit rate',
      'pool wait p95',
      'throughput (all calls)',
      'throughput (searches)',
    ]);
    for (const suffix of [
      '-baseline.md',
      '-compare.md',
      '-both.md',
      '-baseline.svg',
      '-compare.svg',
      '-both-search.svg',
    ]) {
      expect(run.files.some((f) => f.endsWith(suffix))).toBe(true);
    }
    expect(run.stdout).toContain("report's target");
    expect(run.stdout).toContain('median of A/B');
  }, 240_000);

  it('runs --compare on PostgreSQL and compares ListFacts with raw pg on the same database', async () => {
    const adminUrl = requireService('postgres');
    const run = await runBench(['--compare', '--postgres'], outDir, { RECALL_TEST_DATABASE_URL: adminUrl });

    const compare = run.read('-compare.json');
    expectModeShape(compare, 'compare');
    expect(compare.backends).toMatchObject({ database: expect.stringContaining('recall_bench_') });
    expect(compare.serverMetrics).toMatchObject({ poolWait: { count: expect.any(Number), p95Ms: expect.any(Number) } });
    expect(compare.ratios).toContainEqual(
      expect.objectContaining({ name: 'ListFacts through recall / raw pg', medianRatio: expect.any(Number) }),
    );
  }, 240_000);
});
