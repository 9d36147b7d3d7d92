import { createTestDatabase } from '../../../harness/postgres';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { requireService } from '../../support/require-service';
import { migrationsContract, reportIndexes } from './migrations-contract';

describe('migrations on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: PostgresClient;

  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    client = createPostgresClient({ connectionString: database.url, poolMin: 0, poolMax: 2 });
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  migrationsContract(() => client);

  test('concurrent runs queue on the advisory lock and apply each migration once', async () => {
    const fresh = await createTestDatabase(requireService('postgres'));
    const clients = Array.from({ length: 4 }, () => createPostgresClient({ connectionString: fresh.url, poolMin: 0 }));
    try {
      const results = await Promise.all(clients.map((c) => migrate(c)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual([
        '001_memory_schema',
        '002_golden_answers',
        '003_memory_indexes',
        '004_embedding_spaces',
        '005_fact_terms',
        '006_fact_validity',
        '007_fact_stamps',
      ]);
      expect(await reportIndexes(clients[0]!)).toHaveLength(2);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await fresh.drop();
    }
  });
});
