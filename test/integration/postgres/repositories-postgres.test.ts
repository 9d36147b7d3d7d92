import { createTestDatabase } from '../../../harness/postgres';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { createSnapshotCache } from '../../../src/adapters/sql/fact-term-snapshots';
import { createSqlLexicalFactIndex } from '../../../src/adapters/sql/fact-terms';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { requireService } from '../../support/require-service';
import { ctx, fact, newUser } from './contract-helpers';
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

  test("a replica's lexical snapshots keep up with another replica's writes, one by one and racing", async () => {
    const other = createPostgresClient({ connectionString: database.url, poolMin: 0, poolMax: 4 });
    try {
      const cache = createSnapshotCache();
      const reader = createSqlLexicalFactIndex(client, cache);
      const uncached = createSqlLexicalFactIndex(client, createSnapshotCache({ maxPostings: 0 }));
      const writer = createSqlMemoryRepository(other);
      const user = newUser();
      await writer.addFacts(user, ['Plays the cello', 'Lives in Lisbon'].map(fact), ctx);
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 2; i++) await reader.search(user, 'cello lisbon', 10, ctx);
        const [added] = (await writer.addFacts(user, [fact(`Visited city${round} with the cello`)], ctx)).facts;
        expect((await reader.search(user, `city${round}`, 10, ctx)).map((hit) => hit.factId)).toEqual([added!.id]);
        if (round % 2 === 1) {
          await writer.deleteFacts(user, [added!.id], ctx);
          expect(await reader.search(user, `city${round}`, 10, ctx)).toEqual([]);
        }
      }
      // A memory that stands still is snapshotted again.
      for (let i = 0; i < 2; i++) await reader.search(user, 'cello lisbon', 10, ctx);
      expect(cache.size().users).toBe(1);
      // Racing: searches while facts are added and deleted; once the writes are done, the
      // next search is the statement's.
      const writes = (async () => {
        for (let i = 0; i < 30; i++) {
          const [f] = (await writer.addFacts(user, [fact(`Race note ${i} about the cello`)], ctx)).facts;
          if (i % 3 === 0) await writer.deleteFacts(user, [f!.id], ctx);
        }
      })();
      const reads = (async () => {
        for (let i = 0; i < 60; i++) await reader.search(user, 'race cello', 50, ctx);
      })();
      await Promise.all([writes, reads]);
      expect(await reader.search(user, 'race cello', 50, ctx)).toEqual(
        await uncached.search(user, 'race cello', 50, ctx),
      );
      expect(await reader.search(user, 'race cello', 50, ctx)).toHaveLength(1 + 10 + 20);
    } finally {
      await other.close();
    }
  });
});
