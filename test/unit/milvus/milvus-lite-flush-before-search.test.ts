/**
 * Milvus Lite searches rows it has not flushed without an index, in Python, on every search
 * (on 1,398 Cranfield documents: 168 ms dense and 367 ms BM25 per search, against 2.7 and
 * 7.2 ms flushed). On Lite the adapter flushes what may be unflushed before the next search;
 * on a real Milvus, which seals segments by itself and rate-limits flush, it does not. A
 * recording stand-in for the SDK client plays either server.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { bm25Function, collectionFields } from '../../../src/adapters/milvus/milvus-schema';
import { MilvusVectorStore } from '../../../src/adapters/milvus/milvus-vector-store';
import { contextWithTimeout } from '../../../src/domain/context';

const OK = { error_code: 'Success', code: 0, reason: '' };

/** One loaded 2-d lexical collection on a server answering GetVersion with `version`. */
function recordingMilvus(version: string) {
  const calls: string[] = [];
  const client = {
    getVersion: async () => ({ status: OK, version }),
    describeCollection: async () => ({
      status: OK,
      schema: { fields: collectionFields(2, true), functions: [{ ...bm25Function(), type: 'BM25' }] },
    }),
    getLoadState: async () => ({ status: OK, state: 'LoadStateLoaded' }),
    upsert: async ({ data }: { data: unknown[] }) => {
      calls.push('upsert');
      return { status: OK, upsert_cnt: data.length, err_index: [] };
    },
    flush: async () => {
      calls.push('flush');
      return { status: OK };
    },
    flushSync: async () => {
      calls.push('flushSync');
      return { status: OK };
    },
    search: async (req: { anns_field: string }) => {
      calls.push(`search ${req.anns_field}`);
      return { status: OK, results: [{ id: 'a', score: 0.5, text: 'a', metadata: {} }] };
    },
    closeConnection: async () => undefined,
  };
  return { client: client as unknown as MilvusClient, calls };
}

const ctx = () => contextWithTimeout(5_000);
const record = { id: 'a', vector: [1, 0], text: 'a', metadata: {} };
const hybrid = (store: MilvusVectorStore) =>
  Promise.all([
    store.search('docs', { vector: [1, 0], limit: 3, filters: [] }, ctx()),
    store.searchLexical('docs', { text: 'a', limit: 3, filters: [] }, ctx()),
  ]);

describe('MilvusVectorStore flushes before searching on Milvus Lite', () => {
  it('flushes once before the first searches after a write, and not again until the next write', async () => {
    const milvus = recordingMilvus('milvus_lite-3.2.2');
    const store = new MilvusVectorStore({ address: 'unused:1' }, milvus.client);
    await store.ensureCollection('docs', 2, ctx());
    await store.upsert('docs', [record], ctx());

    await hybrid(store);
    await hybrid(store);
    await store.upsert('docs', [record], ctx());
    const [dense, lexical] = await hybrid(store);

    expect(milvus.calls.filter((c) => c !== 'search vector' && c !== 'search text_sparse')).toEqual([
      'upsert',
      'flush',
      'upsert',
      'flush',
    ]);
    // Both searches of a hybrid query waited for the one flush.
    expect(milvus.calls.slice(0, 4)).toEqual(['upsert', 'flush', 'search vector', 'search text_sparse']);
    expect(dense.map((h) => h.id)).toEqual(['a']);
    expect(lexical?.map((h) => h.id)).toEqual(['a']);
  });

  it('flushes a collection another process wrote before its first search here', async () => {
    const milvus = recordingMilvus('milvus_lite-3.2.2');
    const store = new MilvusVectorStore({ address: 'unused:1' }, milvus.client);

    await hybrid(store);

    expect(milvus.calls).toEqual(['flush', 'search vector', 'search text_sparse']);
  });

  it('leaves flushing to a real Milvus, which seals segments by itself', async () => {
    const milvus = recordingMilvus('v2.5.4');
    const store = new MilvusVectorStore({ address: 'unused:1' }, milvus.client);
    await store.upsert('docs', [record], ctx());

    await hybrid(store);

    expect(milvus.calls.sort()).toEqual(['search text_sparse', 'search vector', 'upsert']);
  });
});
