import { type ConsistencyLevelEnum, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { openVectorStore } from '../../src/composition/open-vector-store';
import { loadConfig } from '../../src/config';
import { contextWithTimeout } from '../../src/domain/context';

/** The floor of a vector search: the same search made without recall in between. */
export interface DirectSearch {
  /** What it talks to, for the output. */
  label: string;
  /** Nearest `limit` records of `collection`; resolves to the hits' ids, best first. */
  search(collection: string, vector: number[], limit: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The same call recall's Milvus adapter makes (COSINE, HNSW ef = max(64, limit), id/text/metadata
 * returned, Bounded consistency — what recall's default `session` consistency sends for a
 * collection it has not just written), made with the SDK directly on the same Milvus.
 */
export function openMilvusDirect(address: string): DirectSearch {
  const client = new MilvusClient({ address, timeout: 10_000, maxRetries: 0, telemetry: { enabled: false } });
  return {
    label: '@zilliz/milvus2-sdk-node search on the same Milvus',
    async search(collection, vector, limit) {
      const res = await client.search({
        collection_name: collection,
        anns_field: 'vector',
        data: vector,
        limit,
        output_fields: ['id', 'text', 'metadata'],
        metric_type: 'COSINE',
        params: { ef: Math.max(64, limit) },
        // By name: the SDK's enum value for Strong is 0, which it replaces by the collection's level.
        consistency_level: 'Bounded' as unknown as ConsistencyLevelEnum,
        timeout: 10_000,
      });
      if (res.status.error_code !== 'Success' && res.status.code !== 0) {
        throw new Error(`direct Milvus search failed: ${res.status.reason}`);
      }
      return (res.results as { id: unknown }[]).map((hit) => String(hit.id));
    },
    close: () => client.closeConnection().then(() => undefined),
  };
}

/**
 * recall's embedded store adapter opened in the benchmark's own process on a copy of the
 * server's DATA_DIR: the search without gRPC, validation, breakers and the pipeline around it.
 */
export async function openEmbeddedDirect(dataDir: string): Promise<DirectSearch> {
  const store = await openVectorStore(loadConfig({ DATA_DIR: dataDir }), contextWithTimeout(60_000));
  return {
    label: 'embedded store adapter, in the benchmark process, on a copy of the same data',
    async search(collection, vector, limit) {
      const hits = await store.search(collection, { vector, limit, filters: [] }, contextWithTimeout(10_000));
      return hits.map((hit) => hit.id);
    },
    close: () => store.close(),
  };
}
