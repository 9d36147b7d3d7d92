/**
 * recall dies (SIGKILL) between a fact's two writes: its vector has reached Milvus, its row
 * never committed. The fact must never be recalled, and the stray vector — which carries the
 * fact's text — must be collected, without anyone calling ForgetUser.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DelayProxy, startDelayProxy } from '../../harness/delay-proxy';
import { connectClients } from '../../harness/grpc-clients';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import { type RestartableMilvus, startRestartableMilvusLite } from '../../harness/restartable-milvus';
import { MilvusVectorStore } from '../../src/adapters/milvus';
import { backgroundContext } from '../../src/domain/context';
import { INTERNAL_COLLECTIONS } from '../../src/domain/internal-collections';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { sleep, waitUntil } from './support/load';

const USER = 'crash-user';
const SECRET = 'my card PIN is 4242';
/** Long enough that recall is killed while its vector upsert is still inside the proxy. */
const HOLD_MS = 1_500;

describe('recall killed between a fact row and its vector', () => {
  let cluster: PostgresCluster;
  let milvus: RestartableMilvus;
  let proxy: DelayProxy;
  let server: ServerProcess | undefined;
  let dataDir: string;
  let env: Record<string, string>;
  const store = () => new MilvusVectorStore({ address: milvus.address, maxCallMs: 15_000 });

  /** How many vectors of the user the facts collection holds, read straight from Milvus. */
  async function vectorsOfUser(): Promise<string[]> {
    const direct = store();
    try {
      const hits = await direct.search(
        INTERNAL_COLLECTIONS.userFacts,
        {
          vector: Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0)),
          limit: 100,
          filters: [{ field: 'user_id', operator: 'eq', values: [USER] }],
        },
        backgroundContext(),
      );
      return hits.map((hit) => hit.text);
    } finally {
      await direct.close();
    }
  }

  beforeAll(async () => {
    [cluster, milvus] = await Promise.all([startPostgresCluster(), startRestartableMilvusLite()]);
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    proxy = await startDelayProxy(Number(milvus.address.split(':').pop()));
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-crash-'));
    env = { DATABASE_URL: cluster.urlFor('recall'), DATA_DIR: dataDir, PG_POOL_MIN: '1', MILVUS_TIMEOUT_MS: '10000' };
  }, 300_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await proxy?.close();
    await Promise.all([milvus?.destroy(), cluster?.destroy()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('never recalls the fact, and collects its stray vector', async () => {
    server = await startServerProcess({ ...env, MILVUS_ADDRESS: `127.0.0.1:${proxy.port}` });
    let clients = connectClients(server.grpcAddress);
    // A first fact creates the facts collection, so the crash below hits the vector upsert.
    await clients.memory.addFacts({
      userId: USER,
      facts: [{ content: 'likes green tea', source: '', confidence: 1, metadata: {} }],
    });

    proxy.setDelay(HOLD_MS);
    const sentBefore = proxy.bytesFromClients();
    const adding = clients.memory
      .addFacts({ userId: USER, facts: [{ content: SECRET, source: '', confidence: 1, metadata: {} }] })
      .catch(() => undefined);
    // The upsert (a 384-d vector and the text) is on its way to Milvus: kill recall before
    // Milvus has answered, so the row's transaction can never commit.
    await waitUntil(
      'the vector upsert reaching the proxy',
      async () => proxy.bytesFromClients() - sentBefore > 1_000,
      10_000,
      5,
    );
    await sleep(200);
    await server.stop('SIGKILL');
    clients.memory.close();
    await adding;
    proxy.setDelay(0);
    await sleep(HOLD_MS + 500);
    // The stray exists: Milvus applied the upsert of a fact whose row never committed.
    expect(await vectorsOfUser()).toEqual(expect.arrayContaining([SECRET]));

    server = await startServerProcess({ ...env, MILVUS_ADDRESS: milvus.address });
    clients = connectClients(server.grpcAddress);
    const listed = await clients.memory.listFacts({ userId: USER, pageSize: 100, pageToken: '' });
    expect(listed.facts.map((f) => f.content)).toEqual(['likes green tea']);
    const recalled = await clients.memory.recallFacts({ userId: USER, query: SECRET, limit: 10 });
    expect(recalled.facts.map((f) => f.content)).not.toContain(SECRET);
    // The recall met the stray and removed it; the real fact keeps its vector.
    expect(await vectorsOfUser()).toEqual(['likes green tea']);
    clients.memory.close();
  });
});
