import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../src/cli/usage-error';

/** Which modes one invocation runs. */
export type Mode = 'baseline' | 'compare';

/** Everything a run is configured by (recorded in the JSON). */
export interface BenchOptions {
  modes: Mode[];
  quick: boolean;
  seed: number;
  collections: number;
  docsPerCollection: number;
  queries: number;
  nearExactShare: number;
  goldenAnswers: number;
  users: number;
  factsPerUser: number;
  conversationsPerUser: number;
  messagesPerConversation: number;
  concurrency: number;
  /** Measured run length, unless `requests` is set. */
  durationSeconds: number;
  requests: number | undefined;
  warmupSeconds: number;
  pairs: number;
  milvus: boolean;
  postgres: boolean;
  rerankLatencyMs: number;
  embedLatencyMs: number | undefined;
  /** Embed with the real all-MiniLM-L6-v2 model, served locally (scripts/embedding-server.sh). */
  minilm: boolean;
  /** host:port of a running recall to drive instead of starting one. */
  target: string | undefined;
  /** Its sidecar base URL (http://host:port), for the metrics. */
  targetMetricsUrl: string | undefined;
  skipRatios: boolean;
  skipSeed: boolean;
  /** Write a CPU profile of each recall process into the results folder. */
  cpuProfile: boolean;
  outDir: string;
  quiet: boolean;
  /** `--soak MINUTES`: a bounded soak of recall as configured by default instead of the modes (see soak.ts). */
  soakMinutes: number | undefined;
  /** `--rerank-price DEPTHS`: price the real cross-encoder per rerank depth instead of the modes (see rerank-price.ts). */
  rerankPriceDepths?: number[];
  /** `--check`: the performance gate; compare mode's ratios against the budgets (see budget-check.ts). */
  check: boolean;
  /** The budgets the gate reads (bench/budgets.json). */
  budgetsFile: string;
}

/** Shown by --help. */
export const USAGE = `usage: npm run bench -- (--baseline | --compare | --both | --check | --soak MINUTES | --rerank-price DEPTHS) [options]

modes
  --baseline            recall as before the report's fixes: SEARCH_FAN_OUT=sequential,
                        SEARCH_EARLY_EXIT_ENABLED=false, PG_POOL_MAX=10, memory indexes reverted
                        (migration 003 down, restored afterwards)
  --compare             recall as configured by default
  --both                baseline, then compare, then the report's table
  --quick               a small corpus and short runs (about a minute per mode)
  --check               the performance gate: recall as configured by default, a short load
                        (--duration 5), then the side-by-side ratios (--pairs 200); prints each
                        budgeted ratio's median, IQR and lower quartile against bench/budgets.json
                        and exits 1 when a lower quartile exceeds its budget (CI: --check --quick
                        --postgres; see docs/benchmark.md)
  --budgets FILE        the budgets --check reads (bench/budgets.json)
  --soak MINUTES        mixed reads and writes at --concurrency (default 32) against recall as
                        configured by default; RSS, heap and event-loop delay sampled every 5 s,
                        printed as a table and written as JSON (not part of CI)
  --rerank-price DEPTHS the real cross-encoder (local model server) through Search: p50/p95 per
                        rerank depth (e.g. 20,10,30), then AUTO against ALWAYS at the first
                        depth in one run, and the early exit's saving in ms; --requests N
                        queries (20), --docs N documents in one collection

size and load (defaults: full run / --quick)
  --collections N       vector collections (4 / 3)
  --docs N              documents per collection (3000 / 600)
  --queries N           distinct queries (4000 / 1000)
  --near-exact-share F  share of queries that repeat a document (0.4)
  --users N             memory users (100 / 20)
  --facts N             facts per user (300 / 150)
  --conversations N     conversations per user, 4 messages each (30 / 15)
  --concurrency N       concurrent callers (16 / 8)
  --duration S          measured seconds per mode (120 / 20)
  --requests N          measure this many calls instead of a duration
  --warmup S            warm-up seconds before measuring (10 / 3)
  --pairs N             pairs per side-by-side ratio (200 / 40)
  --seed N              corpus, queries and call sequence (42)

backends (default: the embedded default, PGlite and the in-process vector store)
  --postgres            PostgreSQL: DATABASE_URL, or a scratch database recall_bench_<id> on the
                        machine's server (RECALL_TEST_DATABASE_URL or 127.0.0.1:5432), dropped after
  --milvus              Milvus: MILVUS_ADDRESS, or a Milvus Lite the benchmark starts and stops
  --rerank-latency-ms N modelled latency of the remote reranker (TEI /rerank shape; 50)
  --embed-latency-ms N  embed through the model server with this latency (default: built-in embedder)
  --minilm              embed with the real all-MiniLM-L6-v2 model (local server, installed on
                        first use); seeding is slower (the --quick corpus: about 30 s on two
                        cores), so pair it with --quick or smaller --docs / --facts

other
  --target HOST:PORT    drive a running recall instead of starting one (one mode per run; the
                        operator configures it; see docs/benchmark.md)
  --metrics-url URL     its sidecar (http://host:port) for the server-side figures
  --skip-seed           with --target: the data is already there
  --skip-ratios         no side-by-side ratios
  --cpu-prof            write a CPU profile of each recall process next to the results
  --out DIR             results folder (bench/results)
  --quiet               no progress output`;

const FULL = {
  collections: 4,
  docs: 3000,
  queries: 4000,
  users: 100,
  facts: 300,
  conversations: 30,
  concurrency: 16,
  duration: 120,
  warmup: 10,
  pairs: 200,
};
const QUICK = {
  collections: 3,
  docs: 600,
  queries: 1000,
  users: 20,
  facts: 150,
  conversations: 15,
  concurrency: 8,
  duration: 20,
  warmup: 3,
  pairs: 40,
};
/** --check: the load only warms the server up; the ratios get more pairs, for steadier quartiles. */
const CHECK = { duration: 5, pairs: 200 };

export { UsageError };

/** Parses the command line (`undefined` for --help). */
export function parseBenchArgs(args: string[], defaultOutDir: string): BenchOptions | undefined {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      baseline: { type: 'boolean', default: false },
      compare: { type: 'boolean', default: false },
      both: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      collections: { type: 'string' },
      docs: { type: 'string' },
      queries: { type: 'string' },
      'near-exact-share': { type: 'string' },
      users: { type: 'string' },
      facts: { type: 'string' },
      conversations: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      requests: { type: 'string' },
      warmup: { type: 'string' },
      pairs: { type: 'string' },
      seed: { type: 'string' },
      postgres: { type: 'boolean', default: false },
      milvus: { type: 'boolean', default: false },
      'rerank-latency-ms': { type: 'string' },
      'embed-latency-ms': { type: 'string' },
      minilm: { type: 'boolean', default: false },
      target: { type: 'string' },
      'metrics-url': { type: 'string' },
      'skip-seed': { type: 'boolean', default: false },
      'skip-ratios': { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      soak: { type: 'string' },
      'rerank-price': { type: 'string' },
      check: { type: 'boolean', default: false },
      budgets: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const price = values['rerank-price'];
  const chosen = [
    values.baseline,
    values.compare,
    values.both,
    values.check,
    values.soak !== undefined,
    price !== undefined,
  ].filter(Boolean).length;
  if (chosen !== 1) {
    throw new UsageError(
      'choose exactly one of --baseline, --compare, --both, --check, --soak MINUTES, --rerank-price DEPTHS',
    );
  }
  if (values.check && (values.target || values['skip-ratios'])) {
    throw new UsageError('--check starts its own recall and measures its ratios: no --target, no --skip-ratios');
  }
  if (values.budgets !== undefined && !values.check) throw new UsageError('--budgets only applies with --check');
  if (price !== undefined && values.target) throw new UsageError('--rerank-price starts its own recall: no --target');
  const rerankPriceDepths = price?.split(',').map((d) => Number(d.trim()));
  if (rerankPriceDepths?.some((d) => !Number.isInteger(d) || d < 1 || d > 1000)) {
    throw new UsageError('--rerank-price wants rerank depths, e.g. 20,10,30 (the first also prices AUTO)');
  }
  if (values.soak !== undefined && values.target) throw new UsageError('--soak starts its own recall: no --target');
  const modes: Mode[] = values.both ? ['baseline', 'compare'] : values.baseline ? ['baseline'] : ['compare'];
  if (values.target && modes.length > 1) {
    throw new UsageError(
      '--target drives one server as it is configured: run --baseline --target …, reconfigure it, then --compare --target …',
    );
  }
  if (values.target && (values.postgres || values.milvus || values['cpu-prof'])) {
    throw new UsageError(
      '--postgres, --milvus and --cpu-prof choose how the benchmark starts recall; with --target they do not apply',
    );
  }
  if (values['skip-seed'] && !values.target) throw new UsageError('--skip-seed only applies with --target');
  if (values.minilm && values['embed-latency-ms'] !== undefined) {
    throw new UsageError('--minilm and --embed-latency-ms each choose the embedder: give one');
  }
  if (values.minilm && values.target)
    throw new UsageError('--minilm chooses how the benchmark starts recall; not with --target');
  const base = values.quick ? QUICK : FULL;
  const int = (name: string, value: string | undefined, fallback: number, min: number, max = 10_000_000) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
  const num = (name: string, value: string | undefined, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new UsageError(`--${name} must be a number in [${min}, ${max}]`);
    return n;
  };
  if (values.target && !/^[^:\s]+:\d+$/.test(values.target)) throw new UsageError('--target must be host:port');
  return {
    modes,
    quick: values.quick,
    seed: int('seed', values.seed, 42, 0, 2 ** 32 - 1),
    collections: int('collections', values.collections, base.collections, 1, 16),
    docsPerCollection: int('docs', values.docs, base.docs, 1),
    queries: int('queries', values.queries, base.queries, 2),
    nearExactShare: num('near-exact-share', values['near-exact-share'], 0.4, 0, 1),
    goldenAnswers: 10,
    users: int('users', values.users, base.users, 1),
    factsPerUser: int('facts', values.facts, base.facts, 1),
    conversationsPerUser: int('conversations', values.conversations, base.conversations, 1),
    messagesPerConversation: 4,
    concurrency: int('concurrency', values.concurrency, values.soak !== undefined ? 32 : base.concurrency, 1, 1000),
    durationSeconds: num('duration', values.duration, values.check ? CHECK.duration : base.duration, 0.5, 86_400),
    requests: values.requests === undefined ? undefined : int('requests', values.requests, 0, 1),
    warmupSeconds: num('warmup', values.warmup, base.warmup, 0, 3600),
    pairs: int('pairs', values.pairs, values.check ? CHECK.pairs : base.pairs, 1, 100_000),
    milvus: values.milvus,
    postgres: values.postgres,
    rerankLatencyMs: int('rerank-latency-ms', values['rerank-latency-ms'], 50, 0, 60_000),
    embedLatencyMs:
      values['embed-latency-ms'] === undefined
        ? undefined
        : int('embed-latency-ms', values['embed-latency-ms'], 0, 0, 60_000),
    minilm: values.minilm,
    target: values.target,
    targetMetricsUrl: values['metrics-url'],
    skipRatios: values['skip-ratios'],
    skipSeed: values['skip-seed'],
    cpuProfile: values['cpu-prof'],
    outDir: values.out ?? defaultOutDir,
    quiet: values.quiet,
    soakMinutes: values.soak === undefined ? undefined : num('soak', values.soak, 0, 0.5, 24 * 60),
    ...(rerankPriceDepths !== undefined && { rerankPriceDepths }),
    check: values.check,
    budgetsFile: values.budgets ?? path.join(__dirname, 'budgets.json'),
  };
}
