import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
const STORED: Record<string, unknown> = { s_x: 'x', s_1: '1', s_empty: '', n_1: 1, n_0: 0, n_2: 2, n_15: 1.5, n_neg: -3, b_t: true, b_f: false, nul: null, arr: [1, 'x'], obj: { a: 1 }, missing: undefined };
const VALUES: unknown[] = ['x', '1', '', 1, 0, 1.5, -3, true, false];
async function main() {
  const c = new MilvusClient({ address: '127.0.0.1:19612', telemetry: { enabled: false }, maxRetries: 0 } as any);
  const name = 'exp2_' + Date.now();
  await c.createCollection({ collection_name: name, fields: [
      { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 256 },
      { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      { name: 'metadata', data_type: DataType.JSON } ],
    index_params: [{ field_name: 'vector', index_type: 'AUTOINDEX', metric_type: 'COSINE' }], timeout: 5000 } as any);
  await c.loadCollection({ collection_name: name, timeout: 5000 } as any);
  const data = Object.entries(STORED).map(([id, v]) => ({ id, vector: [1, 0], metadata: v === undefined ? { other: 1 } : { f: v } }));
  console.log(JSON.stringify(await c.upsert({ collection_name: name, data, timeout: 5000 })).slice(0, 200));
  const out: Record<string, string[] | string> = {};
  for (const op of ['==', '!=', '<', '<=', '>', '>=']) for (const v of VALUES) {
    const expr = `metadata["f"] ${op} ${JSON.stringify(v)}`;
    const res = await c.query({ collection_name: name, filter: expr, output_fields: ['id'], consistency_level: 'Strong', timeout: 5000 } as any);
    out[expr] = res.status.error_code === 'Success' && !res.status.code ? res.data.map((x: any) => x.id).sort() : `ERR ${res.status.reason}`;
  }
  for (const [k, v] of Object.entries(out)) console.log(k.padEnd(28), JSON.stringify(v));
  await c.dropCollection({ collection_name: name, timeout: 5000 });
  await c.closeConnection();
}
main().catch((e) => { console.error('FATAL', e); process.exit(1); });
