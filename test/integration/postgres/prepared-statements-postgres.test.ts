import { createTestDatabase } from '../../../harness/postgres';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { createSnapshotCache } from '../../../src/adapters/sql/fact-term-snapshots';
import { createSqlLexicalFactIndex } from '../../../src/adapters/sql/fact-terms';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { migrate, revert } from '../../../src/adapters/sql/migrations/migrator';
import { requireService } from '../../support/require-service';
import { ctx, fact, newUser } from './contract-helpers';

/** The memory statements run as named prepared statements on PostgreSQL (prepared-statements.ts). */
describe('named prepared statements on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: PostgresClient;

  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    // One connection, so every call below shares its prepared statements.
    client = createPostgresClient({ connectionString: database.url, poolMin: 0, poolMax: 1 });
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  it('ListFacts is parsed once per connection and reused, and pages the same as before', async () => {
    const repo = createSqlMemoryRepository(client);
    const user = newUser();
    await repo.addFacts(user, ['one', 'two', 'three'].map(fact), ctx);
    const pages = [];
    for (let i = 0; i < 8; i++) pages.push((await repo.listFacts(user, 2, undefined, ctx)).map((f) => f.content));
    // One AddFacts shares one created_at, so the order among them is by id: the same every time.
    expect(new Set(pages.map((p) => p.join('|'))).size).toBe(1);
    expect(pages[0]).toHaveLength(2);
    const prepared = await client.query<{ statement: string; uses: number }>(
      'test_prepared',
      `SELECT statement, generic_plans + custom_plans AS uses FROM pg_prepared_statements
       WHERE statement LIKE 'SELECT id, user_id, content%ORDER BY created_at DESC, id DESC LIMIT $2'`,
      [],
      ctx,
    );
    expect(prepared).toHaveLength(1);
    expect(Number(prepared[0]!.uses)).toBeGreaterThanOrEqual(8);
  });

  it("RecallFacts' lexical statement is parsed once per connection and reused, with the same hits", async () => {
    const repo = createSqlMemoryRepository(client);
    // Without snapshots (fact-term-snapshots.ts), every search runs the statement.
    const index = createSqlLexicalFactIndex(client, createSnapshotCache({ maxPostings: 0 }));
    const user = newUser();
    await repo.addFacts(user, ['plays the cello', 'cello lessons on Monday', 'moved to Lisbon'].map(fact), ctx);
    const runs = [];
    for (let i = 0; i < 8; i++) runs.push(await index.search(user, 'cello lessons', 10, ctx));
    expect(runs[0]).toHaveLength(2);
    for (const run of runs) expect(run).toEqual(runs[0]);
    const prepared = await client.query<{ uses: number }>(
      'test_prepared',
      `SELECT generic_plans + custom_plans AS uses FROM pg_prepared_statements
       WHERE statement LIKE 'SELECT term, count(*)::float8 AS a%FROM memory_fact_terms%'`,
      [],
      ctx,
    );
    expect(prepared).toHaveLength(1);
    expect(Number(prepared[0]!.uses)).toBeGreaterThanOrEqual(8);
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
