/**
 * `npm run bench:profile -- [--seconds S] [--concurrency N] [--rpc list_facts,add_facts,search,search_vector]
 * [--milvus] [--out DIR]`: where the time of one call goes. For each RPC a recall server on
 * PostgreSQL (a scratch database; the embedded vector store, or with `--milvus` the Milvus at
 * MILVUS_ADDRESS) runs under `node --cpu-prof` while N callers send only that RPC for S
 * seconds; the profile's samples inside that window are attributed to layers (see
 * cpu-profile-layers.ts) and printed as ms of CPU per call and share of CPU. `search_vector`
 * is the call the floor ratio compares (bench/ratios/ratios.ts): the vector given, one
 * collection, RERANK_MODE_NEVER, skip_golden_answer, limit 10.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findPostgres } from '../harness/postgres';
import { embedText } from '../src/adapters/embedders/local-embedder';
import { NewFact } from '../src/gen/recall/v1/memory';
import { RerankMode, SearchRequest } from '../src/gen/recall/v1/search';
import { createReporter } from './report/progress';
import { type CpuProfile, attributeLayers, renderLayers } from './scenarios/cpu-profile-layers';
import { type RecallClients, connectRecall } from './server/clients';
import { ensureBuild } from './server/ensure-build';
import { startRecall } from './server/recall-process';
import { createScratchDatabase } from './server/scratch-database';
import { generateCorpus } from './workload/corpus';
import { userId } from './workload/memory-workload';
import { createRandom } from './workload/prng';
import { seed } from './workload/seed';

type Rpc = 'list_facts' | 'add_facts' | 'search' | 'search_vector';
const USERS = 20;
/** The server's default EMBEDDING_DIMENSION, which the built-in embedder seeds with. */
const DIMENSION = 384;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '15' },
      concurrency: { type: 'string', default: '8' },
      rpc: { type: 'string', default: 'list_facts,add_facts,search' },
      out: { type: 'string', default: path.join(__dirname, 'results', 'profiles') },
      milvus: { type: 'boolean', default: false },
    },
  });
  const milvusAddress = process.env.MILVUS_ADDRESS;
  if (values.milvus && !milvusAddress) throw new Error('--milvus needs MILVUS_ADDRESS (host:port of a running Milvus)');
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);
  const rpcs = values.rpc.split(',') as Rpc[];
  const reporter = createReporter();
  ensureBuild(reporter.log);
  const database = await createScratchDatabase(await findPostgres());
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-profile-'));
  const corpus = generateCorpus({
    seed: 7,
    collections: 2,
    docsPerCollection: 1000,
    queries: 500,
    nearExactShare: 0.4,
    goldenAnswers: 5,
  });
  const collections = corpus.collections.map((c) => c.name);
  const env = {
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    SEARCH_DEFAULT_COLLECTIONS: collections.join(','),
    ...(values.milvus && milvusAddress ? { MILVUS_ADDRESS: milvusAddress } : {}),
  };
  try {
    const seeder = await startRecall('seed', env);
    const seedClients = connectRecall(seeder.grpcAddress);
    const memory = { seed: 7, users: USERS, factsPerUser: 50, conversationsPerUser: 2, messagesPerConversation: 2 };
    await seed(seedClients, corpus, memory, reporter).finally(() => seedClients.close());
    await seeder.stop();
    for (const rpc of rpcs) {
      const dir = path.join(values.out, rpc);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const server = await startRecall(rpc, env, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      const clients = connectRecall(server.grpcAddress);
      let calls = 0;
      let window: [number, number];
      try {
        const call = callOf(
          rpc,
          clients,
          collections,
          corpus.queries.map((q) => q.text),
        );
        await drive(call, concurrency, 3000);
        const from = nowMicros();
        calls = await drive(call, concurrency, seconds * 1000);
        window = [from, nowMicros()];
      } finally {
        clients.close();
        await server.stop();
      }
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`${rpc}: the server wrote no profile in ${dir}`);
      const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
      const layers = attributeLayers(profile, window);
      process.stdout.write(`\n${rpc}: ${calls} calls in ${seconds} s at concurrency ${concurrency}\n`);
      process.stdout.write(`${renderLayers(layers, calls)}\nprofile: ${path.join(dir, file)}\n`);
    }
  } finally {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CLOCK_MONOTONIC in µs: the clock V8's profile timestamps use. */
function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

function callOf(rpc: Rpc, clients: RecallClients, collections: string[], queries: string[]) {
  const random = createRandom(11).fork(rpc);
  let n = 0;
  const timeout = { timeoutMs: 30_000 };
  switch (rpc) {
    case 'list_facts':
      return () =>
        clients.memory.listFacts({ userId: userId(random.int(0, USERS - 1)), pageSize: 20, pageToken: '' }, timeout);
    case 'add_facts':
      return () => {
        n++;
        const facts = Array.from({ length: 5 }, (_, i) =>
          NewFact.fromPartial({ content: `profile fact ${n}.${i} ${random.int(0, 1e9)}`, source: 'profile' }),
        );
        return clients.memory.addFacts({ userId: userId(random.int(0, USERS - 1)), facts }, timeout);
      };
    case 'search_vector': {
      const vectors = queries.slice(0, 200).map((text) => embedText(text, DIMENSION));
      return () =>
        clients.search.search(
          SearchRequest.fromPartial({
            vector: random.pick(vectors),
            collections: [collections[0]!],
            limit: 10,
            rerank: RerankMode.RERANK_MODE_NEVER,
            skipGoldenAnswer: true,
          }),
          timeout,
        );
    }
    case 'search':
      return () =>
        clients.search.search(
          SearchRequest.fromPartial({
            query: random.pick(queries),
            collections,
            limit: 10,
            rerank: RerankMode.RERANK_MODE_AUTO,
          }),
          timeout,
        );
  }
}

/** Closed-loop callers for `ms`; resolves to the number of calls answered. */
async function drive(call: () => Promise<unknown>, concurrency: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done;
}

main().catch((error: unknown) => {
  process.stderr.write(`call-profile: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
