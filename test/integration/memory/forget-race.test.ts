/**
 * The ForgetUser race on every backend: the embedded default (PGlite + the embedded vector
 * store), PostgreSQL + Milvus Lite, and PostgreSQL + the Milvus 2.3 standalone.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../../../harness/postgres';
import { EmbeddedVectorStore } from '../../../src/adapters/embedded-vectors';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { backgroundContext } from '../../../src/domain/context';
import { createMetrics } from '../../../src/observability/metrics';
import { requireService } from '../../support/require-service';
import { forgetRaceContract } from './forget-race';

jest.setTimeout(300_000);
const collection = `race_${randomBytes(4).toString('hex')}`;

describe('ForgetUser race, embedded default (PGlite + embedded vector store)', () => {
  let dir: string;
  let sql: PgliteClient;
  let vectors: EmbeddedVectorStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'recall-race-'));
    sql = await openPgliteClient({
      dataDir: path.join(dir, 'pg'),
      metrics: createMetrics('race_', { processMetrics: false }),
    });
    await migrate(sql);
    vectors = await EmbeddedVectorStore.open({ dir: path.join(dir, 'vectors') });
  });
  afterAll(async () => {
    await vectors?.close();
    await sql?.close();
    await rm(dir, { recursive: true, force: true });
  });
  forgetRaceContract({ sql: () => sql, vectors: () => vectors, collection });
});

describe.each([
  ['Milvus Lite', 'milvus' as const, false],
  ['Milvus 2.3 standalone', 'milvus-standalone' as const, true],
])('ForgetUser race, PostgreSQL + %s', (_label, service, light) => {
  let database: { url: string; drop(): Promise<void> };
  let sql: PostgresClient;
  let vectors: MilvusVectorStore;
  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    sql = createPostgresClient({ connectionString: database.url, poolMin: 2, poolMax: 10 });
    await migrate(sql);
    vectors = new MilvusVectorStore({ address: requireService(service), maxCallMs: 30_000 });
  });
  afterAll(async () => {
    await vectors?.dropCollection(collection, backgroundContext()).catch(() => undefined);
    await vectors?.close();
    await sql?.close();
    await database?.drop();
  });
  forgetRaceContract({ sql: () => sql, vectors: () => vectors, collection, light });
});
