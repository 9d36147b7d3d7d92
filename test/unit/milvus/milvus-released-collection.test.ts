/**
 * Regression (found by the fault suite): after Milvus restarts, its collections come back
 * released, but the adapter remembered them as loaded, so every search failed until recall
 * itself was restarted. A stand-in for the SDK client plays a Milvus that restarted.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { collectionFields } from '../../../src/adapters/milvus/milvus-schema';
import { MilvusVectorStore } from '../../../src/adapters/milvus/milvus-vector-store';
import { contextWithTimeout } from '../../../src/domain/context';

const OK = { error_code: 'Success', code: 0, reason: '' };
const RELEASED = {
  error_code: 'UnexpectedError',
  code: 101,
  reason: "Collection 'docs' is in state 'released'; call load() before search/get/query",
};

/** A 2-d collection `docs`; `restart()` releases it, as a restarted Milvus Lite does. */
function restartingMilvus() {
  let loaded = true;
  const calls: string[] = [];
  const client = {
    describeCollection: async () => ({ status: OK, schema: { fields: collectionFields(2, false) } }),
    getLoadState: async () => ({ status: OK, state: loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad' }),
    loadCollectionSync: async () => {
      calls.push('load');
      loaded = true;
      return OK;
    },
    search: async () => {
      calls.push('search');
      return loaded
        ? { status: OK, results: [{ id: 'a', score: 0.9, text: 'a', metadata: {} }] }
        : { status: RELEASED, results: [] };
    },
    closeConnection: async () => undefined,
  };
  return {
    client: client as unknown as MilvusClient,
    calls,
    restart: () => {
      loaded = false;
    },
  };
}

describe('MilvusVectorStore after Milvus restarts', () => {
  it('loads a collection released by the restart again and answers the search', async () => {
    const milvus = restartingMilvus();
    const store = new MilvusVectorStore({ address: 'unused:1' }, milvus.client);
    const search = () => store.search('docs', { vector: [1, 0], limit: 3, filters: [] }, contextWithTimeout(5_000));
    await search();
    milvus.restart();
    milvus.calls.length = 0;

    const hits = await search();

    expect(hits.map((h) => h.id)).toEqual(['a']);
    expect(milvus.calls).toEqual(['search', 'load', 'search']);
  });
});
