import { startMilvusLite } from '../test/support/milvus-lite';
(async () => {
  const t0 = Date.now();
  const m = await startMilvusLite();
  console.log('started', m.address, Date.now() - t0, 'ms');
  if (process.argv[2] === 'crash') { setTimeout(() => process.kill(process.pid, 'SIGKILL'), 100); return; }
  const t1 = Date.now();
  await m.stop();
  console.log('stopped', Date.now() - t1, 'ms');
})();
