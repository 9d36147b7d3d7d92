import { createSqlEmbeddingSpaceRepository } from '../adapters/sql/embedding-space-repository';
import { migrate } from '../adapters/sql/migrations/migrator';
import type { Config } from '../config';
import { backgroundContext } from '../domain/context';
import { embeddingSpaceOf } from '../domain/embedding-spaces';
import { type ReEmbedResult, reEmbedCollection } from '../domain/re-embed';
import { openEmbedder } from './open-models';
import { openSqlClient } from './open-sql-client';
import { openVectorStore } from './open-vector-store';

/** What `npm run reindex -- --re-embed` needs: the configured store, embedder and database. */
export interface ReEmbedTools {
  /** The space collections move to (the configured embedder's). */
  readonly space: string;
  reEmbed(collection: string, onProgress?: (reEmbedded: number) => void): Promise<ReEmbedResult>;
  close(): Promise<void>;
}

/** Opens the configured backends for re-embedding (migrating the database, as a server would). */
export async function openReEmbedTools(config: Config): Promise<ReEmbedTools> {
  const ctx = backgroundContext();
  const vectorStore = await openVectorStore(config, ctx);
  try {
    const sql = await openSqlClient(config, { kind: 'tool', applicationName: 'recall-reindex' });
    await migrate(sql);
    // Without the shared cache: every text is embedded once, and the cache would only grow.
    const embedder = openEmbedder(config);
    const spaces = createSqlEmbeddingSpaceRepository(sql);
    return {
      space: embeddingSpaceOf(embedder.uncached),
      reEmbed: (collection, onProgress) =>
        reEmbedCollection(
          { vectorStore, embedder: embedder.uncached, spaces, ...(onProgress ? { onProgress } : {}) },
          collection,
          backgroundContext(),
        ),
      close: async () => {
        embedder.close();
        await sql.close();
        await vectorStore.close();
      },
    };
  } catch (error) {
    await vectorStore.close();
    throw error;
  }
}
