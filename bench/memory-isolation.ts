/**
 * `npm run bench:memory-isolation`: RecallFacts' cost for one user as other users' memories
 * grow. One server (the embedded default unless `--database-url` names a PostgreSQL server to
 * create a scratch database on), one target user with `--facts` facts; p50 of RecallFacts for
 * dense, lexical and hybrid with 1 other user, then again after `--others` (default 1,000)
 * other users with as many facts each, drawn from the same vocabulary. Prints the ratios
 * measured in this one run (isolation: p50 at 1,000 others / p50 at 1; hybrid / dense) and
 * writes JSON under bench/results/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RetrievalMode } from '../src/gen/recall/v1/search';
import { connectRecall } from './clients';
import { ensureBuild } from './ensure-build';
import { describeMachine, machineInfo } from './machine-info';
import { type Random, createRandom } from './prng';
import { PROJECT_ROOT, startRecall } from './recall-process';
import { fileStamp } from './results-writer';
import { createScratchDatabase } from './scratch-database';
import { round, summarize } from './stats';
import { GLUE, SHARED_TERMS, TOPICS } from './vocabulary';

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

async function main(): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  ensureBuild(log);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-bench-memory-'));
  const scratch = args['database-url'] ? await createScratchDatabase(args['database-url']) : undefined;
  const server = await startRecall('memory-isolation', {
    DATA_DIR: dataDir,
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  });
  const clients = connectRecall(server.grpcAddress);
  try {
    const random = createRandom(17);
    await clients.memory.addFacts({ userId: 'target', facts: factsOf(random.fork('target')) });
    await clients.memory.addFacts({ userId: 'other-0', facts: factsOf(random.fork('other-0')) });
    const queries = Array.from({ length: QUERIES }, () => sentence(random, random.int(3, 6)));
    const measure = async (): Promise<Record<Mode, number>> => {
      const times: Record<Mode, number[]> = { dense: [], lexical: [], hybrid: [] };
      // Warm-up (connections, caches, JIT), then the modes interleaved query by query so that drift hits all alike.
      for (const query of queries.slice(0, 30)) {
        for (const [, retrieval] of MODES)
          await clients.memory.recallFacts({ userId: 'target', query, limit: 10, retrieval });
      }
      for (const query of queries) {
        for (const [name, retrieval] of MODES) {
          const started = performance.now();
          await clients.memory.recallFacts({ userId: 'target', query, limit: 10, retrieval });
          times[name].push(performance.now() - started);
        }
      }
      return {
        dense: summarize(times.dense).p50,
        lexical: summarize(times.lexical).p50,
        hybrid: summarize(times.hybrid).p50,
      };
    };
    log(`measuring at 1 other user (${FACTS} facts each, ${QUERIES} queries per mode)`);
    const one = await measure();
    log(`adding ${OTHERS - 1} more users`);
    for (let u = 1; u < OTHERS; u++) {
      await clients.memory.addFacts({ userId: `other-${u}`, facts: factsOf(random.fork(`other-${u}`)) });
      if (u % 200 === 0) log(`  ${u} users`);
    }
    log(`measuring at ${OTHERS} other users`);
    const many = await measure();
    const rows = MODES.map(([name]) => ({
      mode: name,
      p50AtOneMs: round(one[name]),
      p50AtManyMs: round(many[name]),
      isolationRatio: round(many[name] / one[name], 2),
    }));
    const result = {
      benchmark: 'memory-isolation',
      backend: scratch ? 'postgres + embedded vectors' : 'embedded default (PGlite + embedded vectors)',
      factsPerUser: FACTS,
      otherUsers: OTHERS,
      queriesPerMode: QUERIES,
      machine: machineInfo(),
      rows,
      hybridOverDense: { atOne: round(one.hybrid / one.dense, 2), atMany: round(many.hybrid / many.dense, 2) },
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
    clients.close();
    await server.stop();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
