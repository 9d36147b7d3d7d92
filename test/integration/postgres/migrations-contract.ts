/** Migration runner behaviours, run against PostgreSQL and PGlite by the *.test.ts files here. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { defaultMigrationsDir } from '../../../src/adapters/sql/migrations/migration-files';
import { MigrationError, migrate, migrationStatus, revert } from '../../../src/adapters/sql/migrations/migrator';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { backgroundContext } from '../../../src/domain/context';

const newFact = (content: string) => ({ content, source: 'test', confidence: 1, metadata: {} });

const REPORT_INDEXES = ['idx_conversations_user_updated', 'idx_memory_facts_user_created'];

/** The report's indexes present in the database, by name. */
export async function reportIndexes(client: SqlClient): Promise<string[]> {
  const rows = await client.query<{ indexname: string }>(
    'test',
    "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'idx\\_%' ORDER BY indexname",
    [],
    backgroundContext(),
  );
  return rows.map((row) => row.indexname);
}

/** Registers the shared suite; `getClient` returns a client on an empty database. */
export function migrationsContract(getClient: () => SqlClient): void {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'recall-migrations-'));
    await cp(defaultMigrationsDir(), dir, { recursive: true });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('applies every migration once, in order; a second run is a no-op', async () => {
    const client = getClient();
    expect((await migrationStatus(client, { dir })).every((m) => !m.applied)).toBe(true);
    expect(await migrate(client, { dir })).toEqual({
      applied: [
        '001_memory_schema',
        '002_golden_answers',
        '003_memory_indexes',
        '004_embedding_spaces',
        '005_fact_terms',
        '006_fact_validity',
        '007_fact_stamps',
      ],
    });
    expect(await migrate(client, { dir })).toEqual({ applied: [] });
    const status = await migrationStatus(client, { dir });
    expect(status.map((m) => [m.version, m.applied, m.checksumMatches])).toEqual([
      [1, true, true],
      [2, true, true],
      [3, true, true],
      [4, true, true],
      [5, true, true],
      [6, true, true],
      [7, true, true],
    ]);
    expect(status[0]!.appliedAt).toBeInstanceOf(Date);
    expect(await reportIndexes(client)).toEqual(REPORT_INDEXES);
  });

  test('the memory index migration can be reverted and applied again', async () => {
    const client = getClient();
    expect(await revert(client, 3, { dir })).toEqual({ reverted: ['003_memory_indexes'] });
    expect(await reportIndexes(client)).toEqual([]);
    expect((await migrationStatus(client, { dir }))[2]).toMatchObject({ applied: false, checksumMatches: undefined });
    expect(await revert(client, 3, { dir })).toEqual({ reverted: [] });
    expect(await migrate(client, { dir })).toEqual({ applied: ['003_memory_indexes'] });
    expect(await reportIndexes(client)).toEqual(REPORT_INDEXES);
  });

  test('the fact terms migration can be reverted and applied again', async () => {
    const client = getClient();
    const tables = async () =>
      (
        await client.query<{ name: string }>(
          'test_tables',
          "SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('memory_fact_terms', 'memory_fact_lengths') ORDER BY 1",
          [],
          backgroundContext(),
        )
      ).map((row) => row.name);
    expect(await tables()).toEqual(['memory_fact_lengths', 'memory_fact_terms']);
    expect(await revert(client, 5, { dir })).toEqual({ reverted: ['005_fact_terms'] });
    expect(await tables()).toEqual([]);
    expect(await migrate(client, { dir })).toEqual({ applied: ['005_fact_terms'] });
    expect(await tables()).toEqual(['memory_fact_lengths', 'memory_fact_terms']);
  });

  test('fact validity (006) reverts and applies again; facts stored before it are valid from their creation', async () => {
    const client = getClient();
    const ctx = backgroundContext();
    expect(await revert(client, 6, { dir })).toEqual({ reverted: ['006_fact_validity'] });
    await client.query(
      'test',
      `INSERT INTO memory_facts (user_id, content, content_normalized, created_at)
       VALUES ('m6-user', 'Lives in Berlin', 'lives in berlin', '2024-05-01T10:00:00Z')`,
      [],
      ctx,
    );
    await client.query('test', "INSERT INTO user_stats (user_id, fact_count) VALUES ('m6-user', 1)", [], ctx);
    expect(await migrate(client, { dir })).toEqual({ applied: ['006_fact_validity'] });
    const repo = createSqlMemoryRepository(client);
    const [old] = await repo.listFacts('m6-user', 10, undefined, ctx);
    expect(old).toMatchObject({ content: 'Lives in Berlin', supersededBy: undefined, validUntil: undefined });
    expect(old!.validFrom).toEqual(old!.createdAt);
    const asOf2023 = await repo.listFacts('m6-user', 10, undefined, ctx, { asOf: new Date('2023-01-01T00:00:00Z') });
    expect(asOf2023).toEqual([]);

    // A history with two versions of the same content survives the down step: the older goes.
    const moved = await repo.supersedeFact('m6-user', old!.id, newFact('Lives in Lisbon'), undefined, ctx);
    await repo.supersedeFact('m6-user', moved.current.id, newFact('lives in berlin'), undefined, ctx);
    expect(await revert(client, 6, { dir })).toEqual({ reverted: ['006_fact_validity'] });
    const [row] = await client.query<{ n: string | number; stats: string | number }>(
      'test',
      "SELECT count(*) AS n, (SELECT fact_count FROM user_stats WHERE user_id = 'm6-user') AS stats FROM memory_facts WHERE user_id = 'm6-user'",
      [],
      ctx,
    );
    expect([Number(row!.n), Number(row!.stats)]).toEqual([1, 1]);
    expect(await migrate(client, { dir })).toEqual({ applied: ['006_fact_validity'] });
    expect((await repo.listFacts('m6-user', 10, undefined, ctx)).map((f) => f.content)).toEqual(['lives in berlin']);
    await repo.forgetUser('m6-user', ctx);
  });

  test('fact stamps (007) revert and apply again; every existing user gets a stamp of their own', async () => {
    const client = getClient();
    const ctx = backgroundContext();
    const stamps = async () =>
      (
        await client.query<{ stamp: string }>(
          'test',
          "SELECT fact_stamp::text AS stamp FROM user_stats WHERE user_id LIKE 'm7-%' ORDER BY user_id",
          [],
          ctx,
        )
      ).map((row) => row.stamp);
    expect(await revert(client, 7, { dir })).toEqual({ reverted: ['007_fact_stamps'] });
    await client.query('test', "INSERT INTO user_stats (user_id) VALUES ('m7-a'), ('m7-b')", [], ctx);
    expect(await migrate(client, { dir })).toEqual({ applied: ['007_fact_stamps'] });
    const [a, b] = await stamps();
    expect(a).toMatch(/^\d+$/);
    expect(b).not.toBe(a);
    // A fact write moves the user's stamp; the other user's stays.
    await createSqlMemoryRepository(client).addFacts('m7-a', [newFact('Lives in Berlin')], ctx);
    const [a2, b2] = await stamps();
    expect([a2 !== a, b2]).toEqual([true, b]);
    await client.query('test', "DELETE FROM user_stats WHERE user_id LIKE 'm7-%'", [], ctx);
    await client.query('test', "DELETE FROM memory_facts WHERE user_id LIKE 'm7-%'", [], ctx);
  });

  test('a migration without a down section cannot be reverted', async () => {
    await expect(revert(getClient(), 1, { dir })).rejects.toThrow(/001_memory_schema\.sql has no "-- migrate:down"/);
    await expect(revert(getClient(), 42, { dir })).rejects.toBeInstanceOf(MigrationError);
  });

  test('an applied file that was edited is reported by name and blocks migrating', async () => {
    const client = getClient();
    const file = path.join(dir, '002_golden_answers.sql');
    const original = await readFile(file, 'utf8');
    await writeFile(file, `${original}\n-- edited after the fact\n`);
    try {
      await expect(migrate(client, { dir })).rejects.toThrow(/checksum mismatch.*002_golden_answers\.sql/);
      const status = await migrationStatus(client, { dir });
      expect(status.map((m) => m.checksumMatches)).toEqual([true, false, true, true, true, true, true]);
    } finally {
      await writeFile(file, original);
    }
    expect(await migrate(client, { dir })).toEqual({ applied: [] });
  });
}
