import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { DeadlineExceededError, InvalidArgumentError } from '../../../src/domain/errors';
import { createMetrics } from '../../../src/observability/metrics';
import { conversationContract } from './conversation-contract';
import { lexicalFactIndexContract } from './lexical-fact-index-contract';
import { memoryRepositoryContract } from './memory-repository-contract';

describe('SQL repositories on PGlite', () => {
  const metrics = createMetrics('test_', { processMetrics: false });
  let dir: string;
  let client: PgliteClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'recall-pglite-'));
    client = await openPgliteClient({ dataDir: dir, metrics });
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  memoryRepositoryContract(() => client);
  lexicalFactIndexContract(() => client);
  conversationContract(() => client);

  describe('PGlite client', () => {
    const ctx = backgroundContext();

    test('a call whose deadline passes while it waits its turn never runs', async () => {
      const busy = client.transaction('hold', ctx, async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.query('SELECT 1');
      });
      const late = client.query(
        'late',
        "INSERT INTO user_stats (user_id) VALUES ('never')",
        [],
        contextWithTimeout(100),
      );
      await expect(late).rejects.toBeInstanceOf(DeadlineExceededError);
      await busy;
      expect(await client.query('check', "SELECT 1 FROM user_stats WHERE user_id = 'never'", [], ctx)).toEqual([]);
    });

    test('errors are domain errors, query time is recorded, and there is no breaker to open', async () => {
      await expect(client.query('bad', "SELECT 'x'::uuid", [], ctx)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(await metrics.registry.metrics()).toMatch(
        /test_db_query_duration_seconds_count\{operation="add_facts"\} [1-9]/,
      );
      expect(client.breakerState()).toBe('closed');
      await client.ping(ctx);
    });
  });
});
