import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { createSnapshotCache } from '../../../src/adapters/sql/fact-term-snapshots';
import { createSqlLexicalFactIndex } from '../../../src/adapters/sql/fact-terms';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { GET_FACTS } from '../../../src/adapters/sql/memory-sql';
import { migrate, revert } from '../../../src/adapters/sql/migrations/migrator';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { ctx, fact, newUser } from './contract-helpers';

/**
 * The memory statements run as named prepared statements on PGlite too (pglite-prepared.ts):
 * parsed once per session, then only bound and executed.
 */
describe('named prepared statements on PGlite', () => {
  let client: PgliteClient;

  beforeAll(async () => {
    client = await openPgliteClient();
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
  });

  /** How often the session ran the prepared statement whose text matches `pattern`. */
  async function uses(pattern: string): Promise<number[]> {
    const rows = await client.query<{ uses: number }>(
      'test_prepared',
      'SELECT generic_plans + custom_plans AS uses FROM pg_prepared_statements WHERE statement LIKE $1',
      [pattern],
      ctx,
    );
    return rows.map((row) => Number(row.uses));
  }

  it('ListFacts is parsed once and reused, and pages the same every time', async () => {
    const repo = createSqlMemoryRepository(client);
    const user = newUser();
    await repo.addFacts(user, ['one', 'two', 'three'].map(fact), ctx);
    const pages = [];
    for (let i = 0; i < 8; i++) pages.push((await repo.listFacts(user, 2, undefined, ctx)).map((f) => f.content));
    expect(new Set(pages.map((p) => p.join('|'))).size).toBe(1);
    expect(pages[0]).toHaveLength(2);
    const counts = await uses('SELECT id, user_id, content%ORDER BY created_at DESC, id DESC LIMIT $2');
    expect(counts).toHaveLength(1);
    expect(counts[0]).toBeGreaterThanOrEqual(8);
  });

  it("RecallFacts' lexical statement is parsed once and reused, with the same hits", async () => {
    const repo = createSqlMemoryRepository(client);
    // Without snapshots (fact-term-snapshots.ts), every search runs the statement.
    const index = createSqlLexicalFactIndex(client, createSnapshotCache({ maxPostings: 0 }));
    const user = newUser();
    await repo.addFacts(user, ['plays the cello', 'cello lessons on Monday', 'moved to Lisbon'].map(fact), ctx);
    const runs = [];
    for (let i = 0; i < 8; i++) runs.push(await index.search(user, 'cello lessons', 10, ctx));
    expect(runs[0]).toHaveLength(2);
    expect(runs[0]![0]!.score).toBeGreaterThan(runs[0]![1]!.score);
    for (const run of runs) expect(run).toEqual(runs[0]);
    const counts = await uses('SELECT term, count(*)::float8 AS a%FROM memory_fact_terms%');
    expect(counts).toHaveLength(1);
    expect(counts[0]).toBeGreaterThanOrEqual(8);
  });

  it("a prepared statement's error names the field, and the session answers the next call", async () => {
    const repo = createSqlMemoryRepository(client);
    const user = newUser();
    await repo.addFacts(user, ['kept'].map(fact), ctx);
    const failed = await client
      .query('get_facts_bad', 'SELECT 1 FROM memory_facts WHERE id = $1::uuid', ['not-a-uuid'], ctx)
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(InvalidArgumentError);
    // A known statement with a bad parameter fails alone; the named statement stays usable.
    const bad = await client
      .query('get_facts', GET_FACTS, [user, ['not-a-uuid'], false, null], ctx)
      .catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect(await client.query('get_facts', GET_FACTS, [user, [], false, null], ctx)).toEqual([]);
    expect((await repo.listFacts(user, 10, undefined, ctx)).map((f) => f.content)).toEqual(['kept']);
  });

  it('a prepared listing keeps answering while migration 003 drops and rebuilds the index it was planned on', async () => {
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
});
