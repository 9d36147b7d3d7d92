import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { backgroundContext } from '../../../src/domain/context';
import { migrationsContract } from './migrations-contract';

describe('migrations on PGlite', () => {
  let dir: string;
  let client: PgliteClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'recall-pglite-'));
    client = await openPgliteClient({ dataDir: dir });
  });

  afterAll(async () => {
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  migrationsContract(() => client);

  test('data and applied migrations survive closing and reopening the folder', async () => {
    const ctx = backgroundContext();
    await migrate(client);
    const added = await createSqlMemoryRepository(client).addFacts(
      'persistent-user',
      [{ content: 'Remembers things', source: 's', confidence: 1, metadata: { a: [1, 2] } }],
      ctx,
    );
    await client.close();
    await client.close();
    client = await openPgliteClient({ dataDir: dir });
    expect(await migrate(client)).toEqual({ applied: [] });
    const facts = await createSqlMemoryRepository(client).listFacts('persistent-user', 10, undefined, ctx);
    expect(facts).toEqual(added.facts);
    expect((await createSqlMemoryRepository(client).getUserStats('persistent-user', ctx))?.factCount).toBe(1);
  });
});
