/**
 * `npm run bench:memory-isolation`: RecallFacts' cost for one user as other users' memories
 * grow. Two servers (the embedded default unless `--database-url` names a PostgreSQL server
 * to create scratch databases on) hold the same target user with `--facts` facts; the first
 * has 1 other user, the second `--others` (default 1,000), each with as many facts drawn from
 * the same vocabulary. RecallFacts p50 for dense, lexical and hybrid on both, measured
 * interleaved in one loop; prints the ratios (isolation: p50 at 1,000 others / p50 at 1;
 * hybrid / dense) and writes JSON under bench/results/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RetrievalMode } from '../src/gen/recall/v1/search';
import { describeMachine, machineInfo } from './report/machine-info';
import { fileStamp } from './report/results-writer';
import { round, summarize } from './report/stats';
import { connectRecall } from './server/clients';
import { ensureBuild } from './server/ensure-build';
import { PROJECT_ROOT, startRecall } from './server/recall-process';
import { createScratchDatabase } from './server/scratch-database';
import { type Random, createRandom } from './workload/prng';
import { GLUE, SHARED_TERMS, TOPICS } from './workload/vocabulary';

const MODES = [
  ['dense', RetrievalMode.RETRIEVAL_MODE_DENSE],
  ['lexical', RetrievalMode.RETRIEVAL_MODE_LEXICAL],
  ['hybrid', RetrievalMode.RETRIEVAL_MODE_HYBRID],
] as const;
type Mode = (typeof MODES)[number][0];

const { values: args } = parseArgs({
  options: {
    facts: { type: 'string', default: '50' },
    others: { type: 'string', default: '1000' },
    queries: { type: 'string', default: '150' },
    'database-url': { type: 'string' },
  },
});
const FACTS = Number(args.facts);
const OTHERS = Number(args.others);
const QUERIES = Number(args.queries);

const TERMS = [...TOPICS.flatMap((t) => t.terms), ...SHARED_TERMS];
function sentence(random: Random, words: number): string {
  return Array.from({ length: words }, (_, i) => (i % 3 === 1 ? random.pick(GLUE) : random.pick(TERMS))).join(' ');
}
const factsOf = (random: Random) =>
  Array.from({ length: FACTS }, () => ({
    content: sentence(random, random.int(6, 14)),
    source: 'bench',
    confidence: 1,
  }));

type Clients = ReturnType<typeof connectRecall>;

/** Starts a server on its own data directory (and scratch database when asked). */
async function startServer(label: string) {
  const dataDir = mkdtempSync(path.join(tmpdir(), `recall-bench-memory-${label}-`));
  const scratch = args['database-url'] ? await createScratchDatabase(args['database-url']) : undefined;
  const server = await startRecall(label, { DATA_DIR: dataDir, ...(scratch ? { DATABASE_URL: scratch.url } : {}) });
  const clients = connectRecall(server.grpcAddress);
  return {
    clients,
    backend: scratch ? 'postgres + embedded vectors' : 'embedded default (PGlite + embedded vectors)',
    async stop() {
      clients.close();
      await server.stop();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * p50 per mode on each server, measured in one loop: query by query, mode by mode, server by
 * server, so that load from elsewhere on the machine weighs on every cell alike.
 */
async function measure(servers: Clients[], queries: string[]): Promise<Record<Mode, number>[]> {
  const times = servers.map(() => ({ dense: [] as number[], lexical: [] as number[], hybrid: [] as number[] }));
  for (const [i, query] of queries.entries()) {
    for (const [name, retrieval] of MODES) {
      for (const [s, clients] of servers.entries()) {
        const started = performance.now();
        await clients.memory.recallFacts({ userId: 'target', query, limit: 10, retrieval });
        // The first 30 queries warm connections, caches and the JIT up.
        if (i >= 30) times[s]![name].push(performance.now() - started);
      }
    }
  }
  return times.map((t) => ({
    dense: summarize(t.dense).p50,
    lexical: summarize(t.lexical).p50,
    hybrid: summarize(t.hybrid).p50,
  }));
}

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  ensureBuild(log);
  const few = await startServer('one-other');
  const many = await startServer('many-others');
  try {
    const random = createRandom(17);
    const target = factsOf(random.fork('target'));
    for (const server of [few, many]) {
      await server.clients.memory.addFacts({ userId: 'target', facts: target });
      await server.clients.memory.addFacts({ userId: 'other-0', facts: factsOf(random.fork('other-0')) });
    }
    log(`adding ${OTHERS - 1} more users to the second server`);
    for (let u = 1; u < OTHERS; u++) {
      await many.clients.memory.addFacts({ userId: `other-${u}`, facts: factsOf(random.fork(`other-${u}`)) });
      if (u % 200 === 0) log(`  ${u} users`);
    }
    const queries = Array.from({ length: QUERIES + 30 }, () => sentence(random, random.int(3, 6)));
    log(`measuring both servers, interleaved (${QUERIES} queries per mode and server)`);
    const [one, more] = (await measure([few.clients, many.clients], queries)) as [
      Record<Mode, number>,
      Record<Mode, number>,
    ];
    const rows = MODES.map(([name]) => ({
      mode: name,
      p50AtOneMs: round(one[name]),
      p50AtManyMs: round(more[name]),
      isolationRatio: round(more[name] / one[name], 2),
    }));
    const result = {
      benchmark: 'memory-isolation',
      backend: few.backend,
      factsPerUser: FACTS,
      otherUsers: OTHERS,
      queriesPerMode: QUERIES,
      machine: machineInfo(),
      rows,
      hybridOverDense: { atOne: round(one.hybrid / one.dense, 2), atMany: round(more.hybrid / more.dense, 2) },
    };
    const out = path.join(PROJECT_ROOT, 'bench', 'results', `memory-isolation-${fileStamp()}.json`);
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `RecallFacts p50 (ms), target user with ${FACTS} facts; ${result.backend}; ${describeMachine(result.machine)}`,
    );
    console.log(`| mode | 1 other user | ${OTHERS} other users | ratio |`);
    console.log('| --- | --- | --- | --- |');
    for (const r of rows) console.log(`| ${r.mode} | ${r.p50AtOneMs} | ${r.p50AtManyMs} | ${r.isolationRatio}× |`);
    console.log(
      `hybrid / dense p50: ${result.hybridOverDense.atOne}× at 1 other user, ${result.hybridOverDense.atMany}× at ${OTHERS}`,
    );
    console.log(`JSON: ${path.relative(PROJECT_ROOT, out)}`);
  } finally {
    await few.stop();
    await many.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
