/** The embedding-space rules on every store: embedded (with PGlite), Milvus Lite and the 2.3 standalone (with PostgreSQL). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../../../harness/postgres';
import { EmbeddedVectorStore } from '../../../src/adapters/embedded-vectors';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { type PostgresClient, createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import { createMetrics } from '../../../src/observability/metrics';
import { requireService } from '../../support/require-service';
import { embeddingSpacesContract } from './embedding-spaces';

jest.setTimeout(180_000);

describe('embedding spaces: embedded store + PGlite', () => {
  let dir: string;
  let sql: PgliteClient;
  let vectors: EmbeddedVectorStore;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'recall-spaces-'));
    sql = await openPgliteClient({
      dataDir: path.join(dir, 'pg'),
      metrics: createMetrics('spaces_', { processMetrics: false }),
    });
    await migrate(sql);
    vectors = await EmbeddedVectorStore.open({ dir: path.join(dir, 'vectors') });
  });
  afterAll(async () => {
    await vectors?.close();
    await sql?.close();
    await rm(dir, { recursive: true, force: true });
  });
  embeddingSpacesContract({ sql: () => sql, vectors: () => vectors });
});

describe.each([
  ['Milvus Lite', 'milvus' as const],
  ['Milvus 2.3 standalone', 'milvus-standalone' as const],
])('embedding spaces: %s + PostgreSQL', (_label, service) => {
  let database: { url: string; drop(): Promise<void> };
  let sql: PostgresClient;
  let vectors: MilvusVectorStore;
  beforeAll(async () => {
    database = await createTestDatabase(requireService('postgres'));
    sql = createPostgresClient({ connectionString: database.url, poolMin: 1, poolMax: 5 });
    await migrate(sql);
    vectors = new MilvusVectorStore({ address: requireService(service), maxCallMs: 30_000 });
  });
  afterAll(async () => {
    await vectors?.close();
    await sql?.close();
    await database?.drop();
  });
  embeddingSpacesContract({ sql: () => sql, vectors: () => vectors });
});
