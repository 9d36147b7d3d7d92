import { MilvusClient } from '@zilliz/milvus2-sdk-node';
process.on('unhandledRejection', (e) => console.log('UNHANDLED', String(e).slice(0, 200)));
async function main() {
  const t0 = Date.now();
  const c = new MilvusClient({ address: '127.0.0.1:19699', telemetry: { enabled: false }, maxRetries: 0, timeout: 3000 } as any);
  try { const r = await c.showCollections({ timeout: 1500 } as any); console.log('dead show', JSON.stringify(r).slice(0, 200)); } catch (e: any) { console.log('dead show threw', Date.now() - t0, e.code, e.constructor.name, String(e.message).slice(0, 200)); }
  try { const r = await c.describeCollection({ collection_name: 'x', timeout: 1500 } as any); console.log('dead describe', JSON.stringify(r).slice(0, 200)); } catch (e: any) { console.log('dead describe threw', Date.now() - t0, e.code, String(e.message).slice(0, 200)); }
  await c.closeConnection().catch((e) => console.log('close err', String(e)));
  const l = new MilvusClient({ address: '127.0.0.1:19612', telemetry: { enabled: false }, maxRetries: 0, timeout: 3000 } as any);
  try { const r = await l.showCollections({ timeout: 1 } as any); console.log('live 1ms', JSON.stringify(r).slice(0, 200)); } catch (e: any) { console.log('live 1ms threw', e.code, String(e.message).slice(0, 200)); }
  const h = await l.checkHealth({ timeout: 2000 } as any).catch((e) => 'threw ' + e); console.log('health', JSON.stringify(h));
  const v = await l.getVersion({ timeout: 2000 } as any).catch((e) => 'threw ' + e); console.log('version', JSON.stringify(v));
  await l.closeConnection();
  console.log('done', Date.now() - t0);
}
main().catch((e) => { console.error('FATAL', e); process.exit(1); });
