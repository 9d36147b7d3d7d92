/**
 * Which consistency level each Milvus read carries. Milvus Lite ignores the level, so only a
 * real Milvus shows the difference (test/integration/vector-store/milvus-consistency.test.ts);
 * here a recording stand-in for the SDK client checks what the adapter sends.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { collectionFields } from '../../../src/adapters/milvus/milvus-schema';
import { MilvusVectorStore } from '../../../src/adapters/milvus/milvus-vector-store';
import type { ConsistencyLevel } from '../../../src/adapters/milvus/read-consistency';
import { contextWithTimeout } from '../../../src/domain/context';

const OK = { error_code: 'Success', code: 0, reason: '' };

/** The SDK calls the adapter makes, answering as a Milvus with one loaded 2-d collection would. */
function recordingClient() {
  const reads: { call: string; collection: string; level: unknown }[] = [];
  const client = {
    describeCollection: async () => ({ status: OK, schema: { fields: collectionFields(2, false) } }),
    getLoadState: async () => ({ status: OK, state: 'LoadStateLoaded' }),
    upsert: async ({ data }: { data: unknown[] }) => ({ status: OK, upsert_cnt: data.length, err_index: [] }),
    search: async (req: { collection_name: string; consistency_level: unknown }) => {
      reads.push({ call: 'search', collection: req.collection_name, level: req.consistency_level });
      return { status: OK, results: [] };
    },
    query: async (req: { collection_name: string; consistency_level: unknown; output_fields: string[] }) => {
      reads.push({ call: 'query', collection: req.collection_name, level: req.consistency_level });
      return { status: OK, data: req.output_fields.includes('count(*)') ? [{ 'count(*)': 0 }] : [] };
    },
    closeConnection: async () => undefined,
  };
  return { client: client as unknown as MilvusClient, reads };
}

function open(consistency?: ConsistencyLevel) {
  const { client, reads } = recordingClient();
  const store = new MilvusVectorStore(
    { address: 'unused:1', ...(consistency && { consistency }), sessionWindowMs: 60_000 },
    client,
  );
  return { store, reads };
}

const ctx = () => contextWithTimeout(5_000);
const search = (store: MilvusVectorStore, collection: string) =>
  store.search(collection, { vector: [1, 0], limit: 3, filters: [] }, ctx());

describe('MilvusVectorStore read consistency', () => {
  it('by default searches and scans a collection it has not written Bounded, skipping the time-tick wait', async () => {
    const { store, reads } = open();

    await search(store, 'docs');
    await store.scan('docs', 10, ctx());

    expect(reads).toEqual([
      { call: 'search', collection: 'docs', level: 'Bounded' },
      { call: 'query', collection: 'docs', level: 'Bounded' },
    ]);
  });

  it('by default reads a collection Strong right after writing it, so its own writes are visible', async () => {
    const { store, reads } = open();

    await store.upsert('docs', [{ id: 'a', vector: [1, 0], text: 'a', metadata: {} }], ctx());
    await search(store, 'docs');
    await search(store, 'faq');

    expect(reads).toEqual([
      { call: 'search', collection: 'docs', level: 'Strong' },
      { call: 'search', collection: 'faq', level: 'Bounded' },
    ]);
  });

  it('reads Strong inside a delete, which counts the rows it is about to remove', async () => {
    const { store, reads } = open();

    await store.delete('docs', ['a'], ctx());

    expect(reads).toEqual([{ call: 'query', collection: 'docs', level: 'Strong' }]);
  });

  it.each([
    ['strong', 'Strong'],
    ['bounded', 'Bounded'],
    ['eventually', 'Eventually'],
  ] as const)('with %s sends %s on every read, by name', async (mode, level) => {
    const { store, reads } = open(mode);

    await store.upsert('docs', [{ id: 'a', vector: [1, 0], text: 'a', metadata: {} }], ctx());
    await search(store, 'docs');
    await search(store, 'faq');

    expect(reads.map((r) => r.level)).toEqual([level, level]);
  });
});
