import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmbeddingServer, startEmbeddingServer } from '../../harness/embedding-server';
import { startMilvusLite } from '../../harness/milvus-lite';
import { type ModelServer, startModelServer } from '../../harness/model-server';
import { findPostgres } from '../../harness/postgres';
import { type DatabaseTools, openDatabaseTools } from '../../src/composition/database-tools';
import { loadConfig } from '../../src/config';
import { createScratchDatabase, postgresVersion } from './scratch-database';

/** Which backends to run on and how the modelled remote models behave. */
export interface BenchBackendOptions {
  postgres: boolean;
  milvus: boolean;
  rerankLatencyMs: number;
  /** Undefined: recall's built-in embedder; a number: the model embedding server with this latency. */
  embedLatencyMs: number | undefined;
  /** The real all-MiniLM-L6-v2 model from the local embedding server (excludes embedLatencyMs). */
  minilm?: boolean;
}

/** Rows written to a Milvus Lite collection between two flushes while seeding. */
const LITE_FLUSH_AFTER_ROWS = 1000;

/** The migration that holds the report's memory indexes (migrations/003_memory_indexes.sql). */
const MEMORY_INDEX_MIGRATION = 3;

/** The backends of one benchmark run, shared by every recall process it starts. */
export interface BenchBackends {
  /** What to show in the output (no credentials, no machine paths). */
  description: {
    database: string;
    vectors: string;
    reranker: string;
    embedder: string;
    postgresVersion?: string;
  };
  /** Postgres URL when on PostgreSQL (for the raw-pg comparison). */
  databaseUrl: string | undefined;
  /** Milvus address when on Milvus (for the direct SDK comparison). */
  milvusAddress: string | undefined;
  /** True when the database or Milvus was given by the environment (the run must leave it as it found it). */
  shared: boolean;
  /** recall's DATA_DIR for the main servers (PGlite and/or the embedded store live there). */
  dataDir: string;
  /** Environment every recall process of the run gets. */
  env(dataDir?: string): Record<string, string>;
  /** Drops (false) or restores (true) the memory indexes through the migration tooling. No server may run on PGlite meanwhile. */
  setMemoryIndexes(present: boolean): Promise<string[]>;
  /** Runs ANALYZE so the planner knows the seeded tables, as a production database's autovacuum would. */
  analyze(): Promise<void>;
  /** A copy of the data directory, taken while no server runs (for a second server or an in-process store). */
  copyDataDir(label: string): string;
  /** Restores what the run changed in backends it does not own, then stops and deletes what it started. */
  close(): Promise<void>;
}

/** Starts or finds the backends; see docs/benchmark.md for where each comes from. */
export async function provideBenchBackends(options: BenchBackendOptions): Promise<BenchBackends> {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const cleanUp = async () => {
    for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-bench-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

    let databaseUrl: string | undefined;
    let database = 'PGlite (embedded, in the server process)';
    let ownDatabase = false;
    if (options.postgres) {
      if (process.env.DATABASE_URL) {
        databaseUrl = process.env.DATABASE_URL;
        database = 'PostgreSQL from DATABASE_URL';
      } else {
        const scratch = await createScratchDatabase(await findPostgres());
        cleanups.push(() => scratch.drop());
        databaseUrl = scratch.url;
        database = `PostgreSQL, scratch database ${scratch.name}`;
        ownDatabase = true;
      }
    }

    let milvusAddress: string | undefined;
    let startedLite = false;
    let vectors = 'embedded vector store (in the server process)';
    if (options.milvus) {
      if (process.env.MILVUS_ADDRESS) {
        milvusAddress = process.env.MILVUS_ADDRESS;
        vectors = 'Milvus from MILVUS_ADDRESS';
      } else {
        const lite = await startMilvusLite();
        cleanups.push(() => lite.stop());
        milvusAddress = lite.address;
        startedLite = true;
        vectors = 'Milvus Lite (started by the benchmark)';
      }
    }

    const models: ModelServer = await startModelServer({
      rerankLatencyMs: options.rerankLatencyMs,
      embedLatencyMs: options.embedLatencyMs ?? 0,
    });
    cleanups.push(() => models.close());
    let minilm: EmbeddingServer | undefined;
    if (options.minilm) {
      minilm = await startEmbeddingServer();
      cleanups.push(() => minilm?.stop());
    }
    const embedderEnv: Record<string, string> = minilm
      ? { EMBEDDING_URL: minilm.url, EMBEDDING_MODEL: minilm.model, EMBEDDING_DIMENSION: String(minilm.dimension) }
      : options.embedLatencyMs === undefined
        ? {}
        : { EMBEDDING_URL: models.url };

    // The benchmark opens the database as `npm run migrate` does: from the same variables a
    // recall process of the run gets, through the composition module.
    const withDatabase = async <T>(work: (db: DatabaseTools) => Promise<T>): Promise<T> => {
      const config = loadConfig({ DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
      const db = await openDatabaseTools(config, 'recall-bench', 600_000);
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    };

    let indexesDropped = false;
    const setMemoryIndexes = (present: boolean) =>
      withDatabase(async (db) => {
        if (present) {
          const { applied } = await db.migrate();
          indexesDropped = false;
          return applied;
        }
        const { reverted } = await db.revert(MEMORY_INDEX_MIGRATION);
        indexesDropped = true;
        return reverted;
      });
    // A database the run does not own gets its indexes back even when the run fails midway.
    if (databaseUrl && !ownDatabase) {
      cleanups.push(async () => {
        if (indexesDropped) await setMemoryIndexes(true);
      });
    }

    const copies: string[] = [];
    cleanups.push(() => {
      for (const copy of copies) rmSync(copy, { recursive: true, force: true });
    });

    return {
      description: {
        database,
        vectors,
        reranker: `model server, TEI /rerank shape, ${options.rerankLatencyMs} ms per call (a MODEL of a remote cross-encoder, not a measurement)`,
        embedder: minilm
          ? `${minilm.model} (a real model, local OpenAI-compatible server, numpy on the CPU)`
          : options.embedLatencyMs === undefined
            ? 'built-in hashing-ngram-v1 (in process)'
            : `model server, OpenAI /v1/embeddings shape, ${options.embedLatencyMs} ms per call (a MODEL of a remote embedder)`,
        ...(databaseUrl ? versionField(await postgresVersion(databaseUrl)) : {}),
      },
      databaseUrl,
      milvusAddress,
      shared: Boolean(databaseUrl && !ownDatabase) || Boolean(milvusAddress && process.env.MILVUS_ADDRESS),
      dataDir,
      env(dir = dataDir) {
        return {
          DATA_DIR: dir,
          RERANK_URL: models.url,
          RERANK_FORMAT: 'tei',
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
          ...(milvusAddress ? { MILVUS_ADDRESS: milvusAddress } : {}),
          // Milvus Lite searches unflushed rows without their index (about 4× slower here, and
          // one at a time): flush as the seeding goes, as a real Milvus seals segments by itself.
          ...(startedLite ? { MILVUS_FLUSH_AFTER_ROWS: String(LITE_FLUSH_AFTER_ROWS) } : {}),
          ...embedderEnv,
        };
      },
      setMemoryIndexes,
      analyze: () => withDatabase((db) => db.analyze()),
      copyDataDir(label) {
        const copy = `${dataDir}-${label}`;
        rmSync(copy, { recursive: true, force: true });
        cpSync(dataDir, copy, { recursive: true });
        copies.push(copy);
        return copy;
      },
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** `{ postgresVersion }` when the server reported one, else nothing (the field stays absent). */
function versionField(version: string | undefined): { postgresVersion?: string } {
  return version === undefined ? {} : { postgresVersion: version };
}
