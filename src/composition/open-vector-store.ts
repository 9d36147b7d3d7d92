import path from 'node:path';
import { openThreadedVectorStore } from '../adapters/embedded-vectors/threaded-vector-store';
import type * as MilvusStoreModule from '../adapters/milvus/milvus-vector-store';
import type { Config } from '../config';
import type { CallContext } from '../domain/context';
import type { VectorStore } from '../domain/ports';

/** Milvus when MILVUS_ADDRESS is set, else the embedded store under DATA_DIR/vectors; reachable on return. */
export async function openVectorStore(config: Config, ctx: CallContext): Promise<VectorStore> {
  if (config.milvusAddress) {
    // Loaded here, not at the top: the embedded default never loads the Milvus SDK.
    const { MilvusVectorStore } = require('../adapters/milvus/milvus-vector-store') as typeof MilvusStoreModule;
    const store = new MilvusVectorStore({
      address: config.milvusAddress,
      ...(config.milvusToken !== undefined && { token: config.milvusToken }),
      ...(config.milvusDatabase !== undefined && { database: config.milvusDatabase }),
      maxCallMs: config.milvusTimeoutMs,
      ...(config.milvusFlushAfterRows ? { flushAfterRows: config.milvusFlushAfterRows } : {}),
      consistency: config.milvusConsistency,
      sessionWindowMs: config.milvusSessionWindowMs,
    });
    try {
      await store.ping(ctx);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  return openThreadedVectorStore({ dir: vectorStoreDir(config) });
}

/** Where the embedded vector store lives under DATA_DIR. */
export function vectorStoreDir(config: Config): string {
  return path.join(config.dataDir, 'vectors');
}
