/**
 * Runs a suite on every pair of real backends a server can run on: the embedded default
 * (PGlite + the embedded vector store), and PostgreSQL with Milvus Lite and with the Milvus
 * 2.3 standalone. Each pair is opened (and migrated) before the suite and closed after it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../../../harness/postgres';
import { EmbeddedVectorStore } from '../../../src/adapters/embedded-vectors';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import { openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { createPostgresClient } from '../../../src/adapters/postgres/postgres-client';
import { migrate } from '../../../src/adapters/sql/migrations/migrator';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import type { VectorStore } from '../../../src/domain/ports';
import { createMetrics } from '../../../src/observability/metrics';
import { requireService } from '../../support/require-service';

/** The opened backends, read inside tests (they are opened by a beforeAll). */
export interface Backends {
  sql: () => SqlClient;
  vectors: () => VectorStore;
  /** Which pair this is, e.g. "Milvus 2.3 standalone" (some stores are slower to write). */
  kind: BackendKind;
}

export type BackendKind = 'embedded' | 'Milvus Lite' | 'Milvus 2.3 standalone';

interface Opened {
  sql: SqlClient;
  vectors: VectorStore;
  close(): Promise<void>;
}

async function openEmbedded(): Promise<Opened> {
  const dir = await mkdtemp(path.join(tmpdir(), 'recall-backends-'));
  const metrics = createMetrics(`b${randomBytes(3).toString('hex')}_`, { processMetrics: false });
  const sql = await openPgliteClient({ dataDir: path.join(dir, 'pg'), metrics });
  const vectors = await EmbeddedVectorStore.open({ dir: path.join(dir, 'vectors') });
  return {
    sql,
    vectors,
    close: async () => {
      await vectors.close();
      await sql.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openMilvus(service: 'milvus' | 'milvus-standalone'): Promise<Opened> {
  const database = await createTestDatabase(requireService('postgres'));
  const sql = createPostgresClient({ connectionString: database.url, poolMin: 1, poolMax: 10 });
  const vectors = new MilvusVectorStore({ address: requireService(service), maxCallMs: 30_000 });
  return {
    sql,
    vectors,
    close: async () => {
      await vectors.close();
      await sql.close();
      await database.drop();
    },
  };
}

const KINDS: Array<[BackendKind, () => Promise<Opened>]> = [
  ['embedded', openEmbedded],
  ['Milvus Lite', () => openMilvus('milvus')],
  ['Milvus 2.3 standalone', () => openMilvus('milvus-standalone')],
];

/** `describe(title + kind)` once per backend pair, with `register` adding its tests. */
export function onEveryBackend(title: string, register: (backends: Backends) => void): void {
  describe.each(KINDS)(`${title}: %s`, (kind, open) => {
    let opened: Opened | undefined;
    beforeAll(async () => {
      opened = await open();
      await migrate(opened.sql);
    });
    afterAll(async () => {
      await opened?.close();
    });
    register({
      sql: () => opened!.sql,
      vectors: () => opened!.vectors,
      kind,
    });
  });
}
