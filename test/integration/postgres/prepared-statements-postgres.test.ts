import { createTestDatabase } from '../../../harness/postgres';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { requireService } from '../../support/require-service';
import { preparedStatementsContract } from './prepared-statements-contract';

describe('named prepared statements on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: PostgresClient;

  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    // One connection, so every call shares its prepared statements.
    client = createPostgresClient({ connectionString: database.url, poolMin: 0, poolMax: 1 });
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  preparedStatementsContract(() => client);
});
