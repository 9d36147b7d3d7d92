import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
const STRS = ['a"b', 'a\\b', 'a\\', 'line\nbreak', 'cr\rx', 'tab\tx', 'nul\0x', 'ctl\x01x', 'del\x7fx', "it's", 'é ✓ 日本', '😀', 'ls\u2028x', '" or 1==1 or "', '\\" or 1==1 or \\"', "' or 1==1 or '", 'x") or (1==1', '\\', '"', 'trail\\n'];
const esc = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') + '"';
async function main() {
  const c = new MilvusClient({ address: '127.0.0.1:19612', telemetry: { enabled: false }, maxRetries: 0 } as any);
  const name = 'exp3_' + Date.now();
  await c.createCollection({ collection_name: name, fields: [
      { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 256 },
      { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      { name: 'text', data_type: DataType.VarChar, max_length: 65535 },
      { name: 'metadata', data_type: DataType.JSON } ],
    index_params: [{ field_name: 'vector', index_type: 'AUTOINDEX', metric_type: 'COSINE' }], timeout: 5000 } as any);
  const data = STRS.map((s, i) => ({ id: 'r' + i, vector: [1, i], text: s, metadata: { f: s, n: [1e21, 1e-7, -0, 5e-324, 123456789012, -2.5, 0.1][i % 7] } }));
  const up = await c.upsert({ collection_name: name, data, timeout: 5000 });
  console.log('upsert', up.status.error_code, up.status.reason);
  const q = async (filter: string) => {
    const res = await c.query({ collection_name: name, filter, output_fields: ['id', 'metadata', 'text'], consistency_level: 'Strong', timeout: 5000 } as any);
    return res.status.error_code === 'Success' && !res.status.code ? res.data.map((x: any) => x.id).sort().join(',') : `ERR ${res.status.reason.split('\n')[0]}`;
  };
  for (let i = 0; i < STRS.length; i++) {
    console.log(JSON.stringify(STRS[i]).padEnd(24), 'esc->', await q(`metadata["f"] == ${esc(STRS[i])}`), ' ne-count', (await q(`metadata["f"] != ${esc(STRS[i])}`)).split(',').length);
  }
  const all = await c.query({ collection_name: name, filter: 'id != ""', output_fields: ['id', 'metadata', 'text'], timeout: 5000 } as any);
  for (const r of all.data) { const i = Number(r.id.slice(1)); if (r.metadata.f !== STRS[i] || r.text !== STRS[i]) console.log('ROUNDTRIP MISMATCH', r.id, JSON.stringify(r.metadata), JSON.stringify(r.text)); }
  for (const f of ['metadata["n"] == 1e+21', 'metadata["n"] == 1e-7', 'metadata["n"] == 0', 'metadata["n"] == 5e-324', 'metadata["n"] == 123456789012', 'metadata["n"] == -2.5', 'metadata["n"] > -1e+21', 'metadata["n"] == 0.1', 'metadata["f"] == "\\x41"', 'false', 'true', '1 == 0', 'id in ["r1", "r2"]', 'id in []', '(metadata["f"] == "a\\"b") and (metadata["n"] > 0)'])
    console.log(f.padEnd(40), await q(f));
  const s = await c.search({ collection_name: name, data: [1, 0], limit: 2, output_fields: ['id', 'text', 'metadata'], metric_type: 'COSINE', timeout: 5000 } as any);
  console.log('search', JSON.stringify(s.results));
  const s2 = await c.search({ collection_name: name, data: [[1, 0]], limit: 2, filter: 'metadata["f"] == "zzz"', output_fields: ['text', 'metadata'], metric_type: 'COSINE', timeout: 5000 } as any);
  console.log('search-nomatch', JSON.stringify(s2));
  const cnt = await c.query({ collection_name: name, filter: '', output_fields: ['count(*)'], timeout: 5000 } as any);
  console.log('count', JSON.stringify(cnt.data));
  const del = await c.delete({ collection_name: name, filter: 'metadata["f"] == "zzz"', timeout: 5000 } as any);
  console.log('delete-nomatch', del.delete_cnt, del.status.error_code);
  await c.dropCollection({ collection_name: name, timeout: 5000 });
  await c.closeConnection();
}
main().catch((e) => { console.error('FATAL', e); process.exit(1); });
