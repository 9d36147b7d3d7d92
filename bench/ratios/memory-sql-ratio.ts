/**
 * The report's database target in one run: the workload's memory reads as SQL, on the same
 * rows, with recall's schema and statements as they are (compare) and as the baseline has
 * them (without migration 003's indexes, statements unnamed), in alternating pairs. Neither
 * side goes through recall, so what differs is the SQL alone; run at concurrency 1 in the
 * benchmark's process, the machine's load falls on both sides alike.
 *
 * The baseline side is a copy of the memory tables in a schema of its own
 * (`bench_baseline`), with the indexes of migrations 001 only, dropped afterwards.
 */
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import * as sql from '../../src/adapters/sql/memory-sql';
import { userId } from '../workload/memory-workload';
import { createRandom } from '../workload/prng';
import { type RatioResult, type SkippedRatio, paired, ratioOf } from './paired';

/** Where the memory tables are: recall's PostgreSQL, or a copy of its PGlite folder. */
export type MemorySqlTarget = { postgresUrl: string } | { pgliteDataDir: string };

interface Session {
  query(text: string, params: unknown[], name?: string): Promise<unknown[]>;
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = 'bench_baseline';
const TABLES = ['memory_facts', 'conversations', 'user_stats'] as const;
const PAGE = 21;

/** The baseline's tables: 001's columns, constraints and indexes, none of 003's. */
const SETUP = `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE;
CREATE SCHEMA ${SCHEMA};
CREATE TABLE ${SCHEMA}.memory_facts (LIKE public.memory_facts INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE ${SCHEMA}.memory_facts ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX ON ${SCHEMA}.memory_facts (user_id, md5(content_normalized));
CREATE TABLE ${SCHEMA}.conversations (LIKE public.conversations INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE ${SCHEMA}.conversations ADD PRIMARY KEY (id);
CREATE TABLE ${SCHEMA}.user_stats (LIKE public.user_stats INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE ${SCHEMA}.user_stats ADD PRIMARY KEY (user_id);
${TABLES.map((t) => `INSERT INTO ${SCHEMA}.${t} SELECT * FROM public.${t};`).join('\n')}
ANALYZE ${TABLES.map((t) => `${SCHEMA}.${t}`).join(', ')};`;

const inBaseline = (text: string) => text.replace(/\b(memory_facts|conversations|user_stats)\b/g, `${SCHEMA}.$1`);

async function openSession(target: MemorySqlTarget): Promise<Session> {
  if ('postgresUrl' in target) {
    const pg = new Client({ connectionString: target.postgresUrl, application_name: 'recall-bench-memory-sql' });
    pg.on('error', () => {});
    await pg.connect();
    return {
      query: async (text, values, name) => (await pg.query(name ? { name, text, values } : { text, values })).rows,
      exec: async (script) => void (await pg.query(script)),
      close: () => pg.end(),
    };
  }
  const db = await PGlite.create({ dataDir: path.join(target.pgliteDataDir, 'pglite') });
  return {
    // PGlite is one in-process session; recall runs the same text there unnamed.
    query: async (text, params) => (await db.query(text, params)).rows,
    exec: async (script) => void (await db.exec(script)),
    close: () => db.close(),
  };
}

/** One memory read of the load's mix, as SQL: the statement and its parameters. */
interface Read {
  text: string;
  params: unknown[];
}

/** The load's memory reads in its proportions (ListFacts 0.14, ListConversations 0.10, GetUserStats 0.06), a third of the listings a later page. */
async function planReads(session: Session, users: number, pairs: number, seed: number): Promise<Read[]> {
  const random = createRandom(seed).fork('memory-sql');
  const reads: Read[] = [];
  for (let i = 0; i < pairs; i++) {
    const user = userId(random.int(0, users - 1));
    const roll = random.next() * 0.3;
    const later = random.chance(1 / 3);
    if (roll < 0.24) {
      const facts = roll < 0.14;
      const first = facts ? sql.LIST_FACTS : sql.LIST_CONVERSATIONS;
      const after = facts ? sql.LIST_FACTS_AFTER : sql.LIST_CONVERSATIONS_AFTER;
      const at = facts ? 'created_at' : 'updated_at';
      // ListFacts reads the facts valid now: no history, no as-of ($history false, $asOf null).
      const view = facts ? [false, null] : [];
      const rows = later ? ((await session.query(first, [user, PAGE * 2, ...view])) as Record<string, unknown>[]) : [];
      const cursor = rows[PAGE - 1];
      reads.push(
        cursor
          ? { text: after, params: [user, PAGE, cursor[at], cursor.id, ...view] }
          : { text: first, params: [user, PAGE, ...view] },
      );
    } else {
      reads.push({ text: sql.GET_USER_STATS, params: [user] });
    }
  }
  return reads;
}

const NAMES = new Map<string, string>();
const nameOf = (text: string) => {
  if (!NAMES.has(text)) NAMES.set(text, `bench_memory_${NAMES.size}`);
  return NAMES.get(text)!;
};

/** Compare / baseline over the memory reads as SQL; see the module comment. */
export async function memorySqlRatio(
  target: MemorySqlTarget,
  users: number,
  pairs: number,
  seed: number,
): Promise<RatioResult | SkippedRatio> {
  const name = 'memory reads as SQL: compare / baseline';
  const session = await openSession(target);
  try {
    await session.exec(SETUP);
    const reads = await planReads(session, users, pairs, seed);
    const measured = await paired(pairs, [
      (i) => session.query(reads[i]!.text, reads[i]!.params, nameOf(reads[i]!.text)),
      (i) => session.query(inBaseline(reads[i]!.text), reads[i]!.params),
    ]);
    const where =
      'postgresUrl' in target ? 'raw pg, one connection' : 'PGlite in the benchmark process, a copy of the data';
    return ratioOf(
      'memory_reads_sql_compare_vs_baseline',
      {
        name,
        a: `the load's memory reads as recall runs them now: migration 003's indexes, named statements on PostgreSQL (${where})`,
        b: "the same reads on a copy of the same rows without 003's indexes, unnamed (the baseline)",
      },
      measured,
      [0, 1],
    );
  } catch (error) {
    return { id: 'memory_reads_sql_compare_vs_baseline', name, skipped: `failed: ${(error as Error).message}` };
  } finally {
    await session.exec(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await session.close();
  }
}
