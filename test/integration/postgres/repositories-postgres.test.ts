import { createTestDatabase } from '../../../harness/postgres';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { requireService } from '../../support/require-service';
import { conversationContract } from './conversation-contract';
import { lexicalFactIndexContract } from './lexical-fact-index-contract';
import { memoryRepositoryContract } from './memory-repository-contract';

describe('SQL repositories on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: PostgresClient;

  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    client = createPostgresClient({ connectionString: database.url, poolMin: 2, poolMax: 10 });
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    await database?.drop();
  });

  memoryRepositoryContract(() => client);
  lexicalFactIndexContract(() => client);
  conversationContract(() => client);
});
