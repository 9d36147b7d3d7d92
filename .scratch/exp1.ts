import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
async function main() {
  const c = new MilvusClient({ address: '127.0.0.1:19612', telemetry: { enabled: false }, maxRetries: 0 } as any);
  const name = 'exp_' + Date.now();
  const r = await c.createCollection({
    collection_name: name,
    fields: [
      { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 256 },
      { name: 'vector', data_type: DataType.FloatVector, dim: 4 },
      { name: 'text', data_type: DataType.VarChar, max_length: 65535 },
      { name: 'metadata', data_type: DataType.JSON },
    ],
    index_params: [{ field_name: 'vector', index_type: 'HNSW', metric_type: 'COSINE', params: { M: 16, efConstruction: 200 } }],
    consistency_level: 'Strong',
    timeout: 5000,
  } as any);
  console.log('create', JSON.stringify(r));
  const d = await c.describeCollection({ collection_name: name, timeout: 5000 });
  console.log('describe', JSON.stringify(d).slice(0, 3000));
  const ls = await c.loadCollection({ collection_name: name, timeout: 5000 } as any);
  console.log('load', JSON.stringify(ls));
  const st = await c.getLoadState({ collection_name: name, timeout: 5000 } as any);
  console.log('loadstate', JSON.stringify(st));
  const idx = await c.describeIndex({ collection_name: name, timeout: 5000 } as any);
  console.log('index', JSON.stringify(idx));
  const up = await c.upsert({ collection_name: name, data: [
    { id: 'a', vector: [1, 0, 0, 0], text: 'A', metadata: { k: 'x', n: 1, b: true } },
    { id: 'b', vector: [0, 1, 0, 0], text: 'B', metadata: { k: 'y', n: 2 } },
    { id: 'c', vector: [0, 0, 1, 0], text: 'C', metadata: { k: 1, n: '2' } },
    { id: 'd', vector: [0, 0, 0, 1], text: 'D', metadata: {} },
    { id: 'e', vector: [1, 1, 0, 0], text: 'E', metadata: { k: 'a"b\\c\nd é ✓' , n: 2.5, b: false} },
  ], timeout: 5000 });
  console.log('upsert', JSON.stringify(up));
  const stats = await c.getCollectionStatistics({ collection_name: name, timeout: 5000 } as any);
  console.log('stats', JSON.stringify(stats));
  const q = async (filter: string) => {
    try {
      const res = await c.query({ collection_name: name, filter, output_fields: ['id'], consistency_level: 'Strong', timeout: 5000 } as any);
      console.log(JSON.stringify(filter).padEnd(50), res.status.error_code, res.status.code ?? '', res.status.reason ?? '', JSON.stringify(res.data.map((x: any) => x.id).sort()));
    } catch (e) { console.log(filter, 'THROW', (e as Error).message); }
  };
  for (const f of [
    'metadata["k"] == "x"', 'metadata["k"] != "x"', 'metadata["k"] == 1', 'metadata["k"] != 1',
    'metadata["k"] in ["x", "y"]', 'metadata["k"] not in ["x", "y"]', 'metadata["k"] in ["x", 1]', 'metadata["k"] not in ["x", 1]',
    'metadata["n"] < 2', 'metadata["n"] <= 2', 'metadata["n"] > 1', 'metadata["n"] >= 2', 'metadata["n"] > 1.5',
    'metadata["n"] == 2', 'metadata["n"] == "2"', 'metadata["n"] != 2', 'metadata["n"] != "2"',
    'metadata["b"] == true', 'metadata["b"] != true', 'metadata["b"] == false', 'metadata["b"] in [true]', 'metadata["b"] not in [true]',
    'metadata["b"] == 1', 'metadata["missing"] != "x"', 'metadata["missing"] not in ["x"]', 'not (metadata["k"] == "x")',
    'metadata["k"] == "a\\"b\\\\c\\nd é ✓"', 'metadata["k"] == "a\\"b\\\\c\\nd \\u00e9 \\u2713"',
    "metadata[\"k\"] == 'x'", 'metadata["k"] == "x" or 1==1', 'metadata["k"] in []', 'metadata["k"] not in []',
    'metadata["n"] < "3"', 'metadata["k"] < 5', 'metadata["n"] in [2]', 'metadata["n"] in [2.0]', 'metadata["n"] == 2.0', 'metadata["n"] == 2.5', 'metadata["n"] in [2, "2"]',
    'metadata["k"] == 1.0', 'exists metadata["k"]', 'metadata["n"] > 1e0', 'metadata["n"] < 9007199254740993',
  ]) await q(f);
  const s = await c.search({ collection_name: name, data: [1, 0.1, 0, 0], limit: 3, output_fields: ['text', 'metadata'], metric_type: 'COSINE', consistency_level: 'Strong', timeout: 5000 } as any);
  console.log('search', JSON.stringify(s));
  const del = await c.delete({ collection_name: name, filter: 'id in ["a", "zz"]', timeout: 5000 } as any);
  console.log('delete', JSON.stringify(del));
  const nf = await c.search({ collection_name: 'nope_nope', data: [1, 0, 0, 0], limit: 3, metric_type: 'COSINE', timeout: 5000 } as any).catch((e) => ({ thrown: String(e) }));
  console.log('search-unknown', JSON.stringify(nf));
  const nd = await c.describeCollection({ collection_name: 'nope_nope', timeout: 5000 }).catch((e) => ({ thrown: String(e) }));
  console.log('describe-unknown', JSON.stringify(nd));
  const lc = await c.showCollections({ timeout: 5000 } as any);
  console.log('show', JSON.stringify(lc).slice(0, 500));
  await c.dropCollection({ collection_name: name, timeout: 5000 });
  await c.closeConnection();
}
main().catch((e) => { console.error('FATAL', e); process.exit(1); });
