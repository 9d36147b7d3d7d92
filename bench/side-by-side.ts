/**
 * `npm run bench:side-by-side -- [options] LABEL[@CHECKOUT]:[VAR=VALUE,...] ...`: recall servers
 * that differ in configuration (SEARCH_RETRIEVAL_MODE=dense vs hybrid) or in build (another
 * checkout's dist/) measured in one run, on copies of one seeded embedded data directory. Each
 * round sends the same searches to every server back to back at concurrency 1, the order
 * rotating per search, then loads each server in turn (the order reversed every other round)
 * with the benchmark's mix at each --concurrency. Prints latencies, throughputs and server CPU
 * per call with their ratios to the first server, and writes JSON under bench/results/.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { findPostgres } from '../harness/postgres';
import { embedText } from '../src/adapters/embedders/local-embedder';
import { RerankMode, SearchRequest } from '../src/gen/recall/v1/search';
import { createReporter } from './report/progress';
import { renderText } from './report/report-table';
import { fileStamp } from './report/results-writer';
import { median, round, summarize } from './report/stats';
import { type RecallClients, connectRecall } from './server/clients';
import { ensureBuild } from './server/ensure-build';
import { type RecallProcess, startRecall } from './server/recall-process';
import { createScratchDatabase } from './server/scratch-database';
import { serverCpuSeconds } from './server/server-cpu';
import { generateCorpus } from './workload/corpus';
import { type LoadMix, runLoad } from './workload/load-runner';
import { userId } from './workload/memory-workload';
import { createRandom } from './workload/prng';
import { seed as seedData } from './workload/seed';

interface ServerSpec {
  label: string;
  root: string | undefined;
  env: Record<string, string>;
}

const USAGE = `usage: npm run bench:side-by-side -- [options] LABEL[@CHECKOUT]:[VAR=VALUE,...] ...
  e.g. dense:SEARCH_RETRIEVAL_MODE=dense hybrid:SEARCH_RETRIEVAL_MODE=hybrid
  (@CHECKOUT: another checkout of recall, built, whose dist/ serves that label)
options: --rounds N (6) --searches N per round at concurrency 1 (150) --seconds S per load (10)
  --concurrency N[,N...] (16,2) --collections N (4) --docs N (3000) --seed N (42)
  --mix OP=W[,OP=W...]: the load's mix (default: the benchmark's), e.g. list_facts=1 for ListFacts only
  --paired search|list_facts|vector: what the concurrency-1 phase sends (search); vector is the
  floor ratio's call (the vector given, the first collection, RERANK_MODE_NEVER, skip_golden_answer)
  --postgres: every server on one scratch PostgreSQL database (seeded once) instead of PGlite copies
  --milvus: every server on the Milvus at MILVUS_ADDRESS (seeded once) instead of embedded copies
  --rerank auto|never|always: the concurrency-1 searches' rerank mode (auto); never isolates
  retrieval (with the built-in reranker, AUTO skips reranking after BM25 retrieval, so a
  dense server reranks where a hybrid one does not)`;

/** The servers' default EMBEDDING_DIMENSION, which the built-in embedder seeds with. */
const DIMENSION = 384;

const RERANK_MODES: Record<string, RerankMode> = {
  auto: RerankMode.RERANK_MODE_AUTO,
  never: RerankMode.RERANK_MODE_NEVER,
  always: RerankMode.RERANK_MODE_ALWAYS,
};

/** A whole number ≥ `min` from option `name`, or a usage error naming it. */
function whole(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`--${name} must be a whole number ≥ ${min}, got "${text}"`);
  return value;
}

/** `list_facts=1,search=2` → a load mix (operations left out get weight 0). */
function parseMix(text: string): LoadMix {
  const mix: LoadMix = { search: 0, list_facts: 0, list_conversations: 0, get_user_stats: 0 };
  for (const pair of text.split(',')) {
    const [name = '', weight = ''] = pair.split('=');
    if (!(name in mix) || !(Number(weight) > 0)) throw new Error(`--mix: bad entry "${pair}"`);
    mix[name as keyof LoadMix] = Number(weight);
  }
  return mix;
}

function parseSpec(text: string): ServerSpec {
  const match = /^([\w-]+)(?:@([^:]+))?:(.*)$/.exec(text);
  if (!match) throw new Error(`bad server "${text}"\n${USAGE}`);
  const env = Object.fromEntries(
    match[3]!
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
  return { label: match[1]!, root: match[2] && path.resolve(match[2]), env };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '6' },
      searches: { type: 'string', default: '150' },
      seconds: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '16,2' },
      collections: { type: 'string', default: '4' },
      docs: { type: 'string', default: '3000' },
      seed: { type: 'string', default: '42' },
      rerank: { type: 'string', default: 'auto' },
      mix: { type: 'string' },
      paired: { type: 'string', default: 'search' },
      postgres: { type: 'boolean', default: false },
      milvus: { type: 'boolean', default: false },
    },
  });
  const specs = positionals.map(parseSpec);
  if (specs.length < 2) throw new Error(USAGE);
  const rounds = whole('rounds', values.rounds, 1);
  const searches = whole('searches', values.searches, 1);
  const seconds = whole('seconds', values.seconds, 1);
  const concurrencies = values.concurrency.split(',').map((c) => whole('concurrency', c, 1));
  const seed = whole('seed', values.seed, 0);
  const rerank = RERANK_MODES[values.rerank];
  if (rerank === undefined) throw new Error(`--rerank must be auto, never or always, got "${values.rerank}"`);
  const reporter = createReporter();
  ensureBuild(reporter.log);

  const corpus = generateCorpus({
    seed,
    collections: whole('collections', values.collections, 1),
    docsPerCollection: whole('docs', values.docs, 1),
    queries: 4000,
    nearExactShare: 0.4,
    goldenAnswers: 10,
  });
  const collections = corpus.collections.map((c) => c.name);
  const memory = { seed, users: 20, factsPerUser: 50, conversationsPerUser: 5, messagesPerConversation: 4 };
  if (values.paired !== 'search' && values.paired !== 'list_facts' && values.paired !== 'vector') {
    throw new Error(`--paired must be search, list_facts or vector, got "${values.paired}"`);
  }
  const pairedListFacts = values.paired === 'list_facts';
  const pairedVector = values.paired === 'vector';
  const milvusAddress = process.env.MILVUS_ADDRESS;
  if (values.milvus && !milvusAddress) throw new Error('--milvus needs MILVUS_ADDRESS (host:port of a running Milvus)');
  const mix = values.mix === undefined ? undefined : parseMix(values.mix);
  const database = values.postgres ? await createScratchDatabase(await findPostgres()) : undefined;
  const common: Record<string, string> = { SEARCH_DEFAULT_COLLECTIONS: collections.join(',') };
  if (database) common.DATABASE_URL = database.url;
  if (values.milvus && milvusAddress) common.MILVUS_ADDRESS = milvusAddress;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-side-'));
  const servers: Array<{ spec: ServerSpec; process: RecallProcess; clients: RecallClients }> = [];
  try {
    const seeder = await startRecall('seed', { ...common, DATA_DIR: dataDir }, [], specs[0]!.root);
    const seedClients = connectRecall(seeder.grpcAddress);
    await seedData(seedClients, corpus, memory, reporter).finally(() => seedClients.close());
    await seeder.stop();
    for (const spec of specs) {
      const dir = `${dataDir}-${spec.label}`;
      cpSync(dataDir, dir, { recursive: true });
      const server = await startRecall(spec.label, { ...common, ...spec.env, DATA_DIR: dir }, [], spec.root);
      servers.push({ spec, process: server, clients: connectRecall(server.grpcAddress) });
    }
    const plan = { seed, collections, users: memory.users, queries: corpus.queries, ...(mix && { mix }) };
    for (const { clients } of servers) {
      await runLoad(clients, { ...plan, concurrency: 4, stream: 'warmup', durationMs: 5000 });
    }

    const latencies = servers.map((): number[] => []);
    const throughputs = servers.map(() => concurrencies.map((): number[] => []));
    const cpuPerCall = servers.map(() => concurrencies.map((): number[] => []));
    for (let r = 0; r < rounds; r++) {
      const random = createRandom(seed).fork(`side-by-side:${r}`);
      for (let i = 0; i < searches; i++) {
        const query = random.pick(corpus.queries);
        const request = SearchRequest.fromPartial(
          pairedVector
            ? {
                vector: embedText(query.text, DIMENSION),
                collections: [collections[0]!],
                limit: 10,
                rerank: RerankMode.RERANK_MODE_NEVER,
                skipGoldenAnswer: true,
              }
            : { query: query.text, collections, limit: 10, rerank },
        );
        const listing = { userId: userId(random.int(0, memory.users - 1)), pageSize: 20, pageToken: '' };
        for (let k = 0; k < servers.length; k++) {
          const s = (i + k) % servers.length;
          const { memory: memoryClient, search } = servers[s]!.clients;
          const t0 = performance.now();
          if (pairedListFacts) await memoryClient.listFacts(listing, { timeoutMs: 30_000 });
          else await search.search(request, { timeoutMs: 30_000 });
          latencies[s]!.push(performance.now() - t0);
        }
      }
      for (let c = 0; c < concurrencies.length; c++) {
        const order = servers.map((_, s) => s);
        if (r % 2 === 1) order.reverse();
        for (const s of order) {
          const cpuBefore = await serverCpuSeconds(servers[s]!.process.metricsUrl);
          const load = await runLoad(servers[s]!.clients, {
            ...plan,
            concurrency: concurrencies[c]!,
            stream: `side-by-side:${r}`,
            durationMs: seconds * 1000,
          });
          throughputs[s]![c]!.push(load.completed / (load.wallMs / 1000));
          const cpu = (await serverCpuSeconds(servers[s]!.process.metricsUrl)) - cpuBefore;
          cpuPerCall[s]![c]!.push((cpu * 1e6) / load.completed);
        }
      }
      reporter.log(`round ${r + 1} of ${rounds} done`);
    }
    const result = servers.map(({ spec }, s) => {
      const c1 = summarize(latencies[s]!);
      return {
        label: spec.label,
        build: spec.root ? 'another checkout' : 'this checkout',
        env: spec.env,
        concurrency1: { p50: c1.p50, p95: c1.p95, mean: c1.mean },
        // Per search, this server's latency over the first server's: the median of those ratios.
        pairedRatioToFirst: round(median(latencies[s]!.map((ms, i) => ms / latencies[0]![i]!))),
        throughputPerSecond: Object.fromEntries(
          concurrencies.map((concurrency, c) => [`c${concurrency}`, round(median(throughputs[s]![c]!), 1)]),
        ),
        throughputRounds: throughputs[s]!.map((perRound) => perRound.map((v) => round(v, 1))),
        // Server CPU µs per call under each load: the median over rounds.
        cpuMicrosPerCall: Object.fromEntries(
          concurrencies.map((concurrency, c) => [`c${concurrency}`, round(median(cpuPerCall[s]![c]!), 0)]),
        ),
        cpuRounds: cpuPerCall[s]!.map((perRound) => perRound.map((v) => round(v, 0))),
      };
    });
    const first = result[0]!;
    const cells = [
      [
        'server',
        'c=1 p50 ms',
        'c=1 / first (paired)',
        ...concurrencies.flatMap((c) => [`calls/s c=${c}`, `/ first c=${c}`, `CPU µs/call c=${c}`, '/ first']),
      ],
      ...result.map((row) => [
        row.label,
        String(row.concurrency1.p50),
        `${row.pairedRatioToFirst}x`,
        ...concurrencies.flatMap((c) => {
          const mine = row.throughputPerSecond[`c${c}`]!;
          const cpu = row.cpuMicrosPerCall[`c${c}`]!;
          return [
            String(mine),
            `${round(mine / first.throughputPerSecond[`c${c}`]!, 2)}x`,
            String(cpu),
            `${round(cpu / first.cpuMicrosPerCall[`c${c}`]!, 2)}x`,
          ];
        }),
      ]),
    ];
    const outDir = path.join(__dirname, 'results');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `side-by-side-${fileStamp()}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ rounds, searches, seconds, concurrencies, rerank: values.rerank, paired: values.paired, servers: result }, null, 2)}\n`,
    );
    process.stdout.write(`${renderText(cells)}\n\nwrote ${path.relative(process.cwd(), file)}\n`);
  } finally {
    for (const { process: server, clients } of servers) {
      clients.close();
      await server.stop();
    }
    for (const dir of [dataDir, ...specs.map((s) => `${dataDir}-${s.label}`)]) {
      rmSync(dir, { recursive: true, force: true });
    }
    await database?.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`side-by-side: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
