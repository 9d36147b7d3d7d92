/**
 * The memory statements run as named prepared statements (prepared-statements.ts): parsed once
 * per connection or session, then only bound and executed. Run on PostgreSQL (one pooled
 * connection) and on PGlite (pglite-prepared.ts) by the prepared-statements-*.test.ts files.
 */
import { createSnapshotCache } from '../../../src/adapters/sql/fact-term-snapshots';
import { createSqlLexicalFactIndex } from '../../../src/adapters/sql/fact-terms';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { migrate, revert } from '../../../src/adapters/sql/migrations/migrator';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { ctx, fact, newUser } from './contract-helpers';

/** Registers the shared suite; `getClient` returns a migrated client on one session. */
export function preparedStatementsContract(getClient: () => SqlClient): void {
  /** How often the session ran each prepared statement whose text matches `pattern`. */
  async function uses(pattern: string): Promise<number[]> {
    const rows = await getClient().query<{ uses: number }>(
      'test_prepared',
      'SELECT generic_plans + custom_plans AS uses FROM pg_prepared_statements WHERE statement LIKE $1',
      [pattern],
      ctx,
    );
    return rows.map((row) => Number(row.uses));
  }

  it('ListFacts is parsed once and reused, and pages the same every time', async () => {
    const repo = createSqlMemoryRepository(getClient());
    const user = newUser();
    await repo.addFacts(user, ['one', 'two', 'three'].map(fact), ctx);
    const pages = [];
    for (let i = 0; i < 8; i++) pages.push((await repo.listFacts(user, 2, undefined, ctx)).map((f) => f.content));
    // One AddFacts shares one created_at, so the order among them is by id: the same every time.
    expect(new Set(pages.map((p) => p.join('|'))).size).toBe(1);
    expect(pages[0]).toHaveLength(2);
    const counts = await uses('SELECT id, user_id, content%ORDER BY created_at DESC, id DESC LIMIT $2');
    expect(counts).toHaveLength(1);
    expect(counts[0]).toBeGreaterThanOrEqual(8);
  });

  it("RecallFacts' lexical statement is parsed once and reused, with the same hits", async () => {
    const repo = createSqlMemoryRepository(getClient());
    // Without snapshots (fact-term-snapshots.ts), every search runs the statement.
    const index = createSqlLexicalFactIndex(getClient(), createSnapshotCache({ maxPostings: 0 }));
    const user = newUser();
    await repo.addFacts(user, ['plays the cello', 'cello lessons on Monday', 'moved to Lisbon'].map(fact), ctx);
    const runs = [];
    for (let i = 0; i < 8; i++) runs.push(await index.search(user, 'cello lessons', 10, ctx));
    expect(runs[0]).toHaveLength(2);
    expect(runs[0]![0]!.score).toBeGreaterThan(runs[0]![1]!.score);
    for (const run of runs) expect(run).toEqual(runs[0]);
    const counts = await uses('SELECT term, count(*)::float8 AS a%FROM memory_fact_terms%term = ANY%');
    expect(counts).toHaveLength(1);
    expect(counts[0]).toBeGreaterThanOrEqual(8);
  });

  it('a prepared listing keeps answering while migration 003 drops and rebuilds the index it was planned on', async () => {
    const client = getClient();
    const repo = createSqlMemoryRepository(client);
    const user = newUser();
    await repo.addFacts(user, ['alpha', 'beta', 'gamma'].map(fact), ctx);
    const list = async () => (await repo.listFacts(user, 10, undefined, ctx)).map((f) => f.content);
    for (let i = 0; i < 6; i++) await list();
    const expected = await list();
    expect(await revert(client, 3)).toEqual({ reverted: ['003_memory_indexes'] });
    expect(await list()).toEqual(expected);
    expect(await repo.getUserStats(user, ctx)).toMatchObject({ factCount: 3 });
    await migrate(client);
    expect(await list()).toEqual(expected);
  });
}
