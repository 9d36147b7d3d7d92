import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openPgliteClient, type PgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { migrate } from '../../../src/migrations/migrator';
import { memoryRepositoryContract } from './memory-repository-contract';

describe('SQL repositories on PGlite', () => {
  let dir: string;
  let client: PgliteClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'recall-pglite-'));
    client = await openPgliteClient({ dataDir: dir });
    await migrate(client);
  });

  afterAll(async () => {
    await client?.close();
    await rm(dir, { recursive: true, force: true });
  });

  memoryRepositoryContract(() => client);
});
