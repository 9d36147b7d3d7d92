import { migrate } from '../adapters/sql/migrations/migrator';
import type { SqlClient } from '../adapters/sql/sql-client';
import type { Config } from '../config';
import { backgroundContext } from '../domain/context';
import type { GuardedEmbedder } from '../domain/embedder-breaker';
import type { Embedder, Reranker, VectorStore } from '../domain/ports';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { openEmbedder, openReranker } from './open-models';
import { openSqlClient } from './open-sql-client';
import { openVectorStore } from './open-vector-store';

/** The server's backends, chosen from the configuration, opened and ready. */
export interface Backends {
  /** The database: PostgreSQL, or the embedded PGlite. */
  database: SqlClient;
  vectorStore: VectorStore;
  /** The embedder every use goes through (cache, then the `embedder` breaker). */
  embedder: Embedder;
  /** The embedder's breaker, for searches to report the waits they abandoned. */
  embedderGuard: GuardedEmbedder;
  /** The embedder without the shared embedding cache, for memory (see openEmbedder). */
  memoryEmbedder: Embedder;
  reranker: Reranker;
  /** Closes everything opened, in reverse order; a failing step is logged and the rest still run. */
  close(): Promise<void>;
}

/** What the caller of openBackends may do meanwhile. */
export interface OpenBackendsOptions {
  /**
   * Runs once the database has begun to open, before it is awaited: the embedded database
   * boots on its own thread for about a second, and the caller can prepare what needs no
   * backend (the gRPC server's reflection) in that time instead of after it.
   */
  whileDatabaseOpens?: () => void;
}

/**
 * Opens the database (migrated when MIGRATE_ON_START), the vector store and the models the
 * configuration names, or the embedded default. On failure, what was already opened is closed.
 */
export async function openBackends(
  config: Config,
  metrics: Metrics,
  logger: Logger,
  options: OpenBackendsOptions = {},
): Promise<Backends> {
  const closers: Array<() => unknown> = [];
  const closeAll = async (onError: (error: unknown) => void) => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        onError(error);
      }
    }
    closers.length = 0;
  };
  try {
    // The embedded store locks DATA_DIR, so a second process on the same folder stops here,
    // before it opens (and could disturb) the embedded database.
    const vectorStore = await openVectorStore(config, backgroundContext());
    closers.push(() => vectorStore.close());

    const opening = openSqlClient(config, { kind: 'server', metrics, logger });
    try {
      options.whileDatabaseOpens?.();
    } catch (error) {
      await opening.then((database) => database.close()).catch(() => undefined);
      throw error;
    }
    const database = await opening;
    closers.push(() => database.close());
    if (config.migrateOnStart) {
      const { applied } = await migrate(database);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }

    const embedder = openEmbedder(config, metrics);
    closers.push(embedder.close);
    const reranker = openReranker(config, metrics);
    closers.push(reranker.close);

    return {
      database,
      vectorStore,
      embedder: embedder.value,
      embedderGuard: embedder.guard,
      memoryEmbedder: embedder.uncached,
      reranker: reranker.value,
      close: () => closeAll((error) => logger.warn({ err: error }, 'closing a backend failed')),
    };
  } catch (error) {
    await closeAll(() => undefined);
    throw error;
  }
}
