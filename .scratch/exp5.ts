import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { MilvusVectorStore } from '../src/adapters/milvus';
import { backgroundContext } from '../src/domain/context';
import { vectors } from '../test/integration/vector-store/contract';
const ctx = backgroundContext();
async function time(label: string, f: () => Promise<unknown>) {
  const s: number[] = [];
  for (let i = 0; i < 8; i++) { const t = Date.now(); await f(); s.push(Date.now() - t); }
  s.sort((a, b) => a - b); console.log(label.padEnd(40), 'median', s[4], 'ms');
}
(async () => {
  const indexType = (process.argv[2] ?? 'HNSW') as 'HNSW' | 'FLAT' | 'AUTOINDEX';
  const store = new MilvusVectorStore({ address: '127.0.0.1:19612', indexType, maxCallMs: 60000 });
  const name = `exp5_${indexType}_${Date.now()}`;
  await store.ensureCollection(name, 384, ctx);
  for (let o = 0; o < 10000; o += 1000) await store.upsert(name, vectors(1000, o + 1, 384).map((vector, i) => ({ id: `d${o + i}`, text: 'x', metadata: { t: `t${i % 10}` }, vector })), ctx);
  const c = new MilvusClient({ address: '127.0.0.1:19612', telemetry: { enabled: false } } as any);
  const q = vectors(1, 5, 384)[0]!;
  await time('store.search', () => store.search(name, { vector: q, limit: 10, filters: [] }, ctx));
  await time('sdk no output, no consistency', () => c.search({ collection_name: name, data: q, limit: 10, metric_type: 'COSINE' } as any));
  await time('sdk output id only', () => c.search({ collection_name: name, data: q, limit: 10, output_fields: ['id'], metric_type: 'COSINE' } as any));
  await time('sdk output all, Strong', () => c.search({ collection_name: name, data: q, limit: 10, output_fields: ['id', 'text', 'metadata'], metric_type: 'COSINE', consistency_level: 'Strong' } as any));
  await c.flush({ collection_names: [name] } as any).catch((e) => console.log('flush', String(e)));
  await time('after flush: store.search', () => store.search(name, { vector: q, limit: 10, filters: [] }, ctx));
  await store.dropCollection(name, ctx); await store.close(); await c.closeConnection();
})();
