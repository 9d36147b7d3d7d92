import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import { type DelayProxy, startDelayProxy } from '../../harness/delay-proxy';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { codeName, countBy, percentile, reportFigures, round } from './support/figures';
import { sleep, waitUntil } from './support/load';
import { metricValue } from './support/sidecar';

const DELAY_MS = 1_500;
const DEADLINE_MS = 300;
const CALLS = 12;
const POOL_MAX = 4;

/**
 * PostgreSQL behind a proxy that holds every byte for 1.5 s: calls with a 300 ms deadline end
 * DEADLINE_EXCEEDED near that deadline (on the server too, not only in the client), and once
 * the database is fast again the pool is not left exhausted: a normal call succeeds and
 * `recall_db_pool_waiting` is back to 0.
 */
describe('a slow PostgreSQL', () => {
  let cluster: PostgresCluster;
  let proxy: DelayProxy;
  let server: ServerProcess;
  let dataDir: string;
  let clients: ReturnType<typeof connectClients>;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    proxy = await startDelayProxy(cluster.port);
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-slow-'));
    server = await startServerProcess({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/recall`,
      DATA_DIR: dataDir,
      PG_POOL_MIN: '2',
      PG_POOL_MAX: String(POOL_MAX),
    });
    clients = connectClients(server.grpcAddress);
    await clients.memory.addFacts({ userId: 'slow', facts: [{ content: 'Likes rain', source: '', confidence: 1 }] });
  }, 120_000);

  afterAll(async () => {
    clients?.memory.close();
    await server?.stop('SIGKILL');
    await proxy?.close();
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers DEADLINE_EXCEEDED near the deadline and leaves the pool usable', async () => {
    proxy.setDelay(DELAY_MS);
    const burst = await Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const started = performance.now();
        const call =
          i % 2 === 0
            ? clients.memory.listFacts({ userId: 'slow', pageSize: 10, pageToken: '' }, { timeoutMs: DEADLINE_MS })
            : clients.memory.addFacts(
                { userId: 'slow', facts: [{ content: `slow fact ${i}`, source: '', confidence: 1 }] },
                { timeoutMs: DEADLINE_MS },
              );
        const code = (await statusOf(call)) ?? status.OK;
        return { code, ms: performance.now() - started };
      }),
    );
    const waitingWhileSlow = await metricValue(server.metricsUrl, 'recall_db_pool_waiting');
    proxy.setDelay(0);
    const drainedAfterMs = await waitUntil(
      'recall_db_pool_waiting back to 0',
      async () => (await metricValue(server.metricsUrl, 'recall_db_pool_waiting')) === 0,
      30_000,
    );
    const normalStarted = performance.now();
    const listed = await clients.memory.listFacts(
      { userId: 'slow', pageSize: 100, pageToken: '' },
      { timeoutMs: 5_000 },
    );
    const normalMs = performance.now() - normalStarted;
    await sleep(200);
    const serverSide = server.logs
      .filter((l) => l.msg === 'rpc' && l.code === 'DEADLINE_EXCEEDED')
      .map((l) => Number(l.ms) - DEADLINE_MS);
    const clientLateness = burst.map((b) => b.ms - DEADLINE_MS);
    reportFigures('slow-postgres', {
      delayMs: DELAY_MS,
      deadlineMs: DEADLINE_MS,
      calls: CALLS,
      codes: countBy(burst, (b) => codeName(b.code)),
      clientLatenessP50Ms: round(percentile(clientLateness, 50)),
      clientLatenessMaxMs: round(Math.max(...clientLateness)),
      serverDeadlineExceeded: serverSide.length,
      serverLatenessP50Ms: round(percentile(serverSide, 50)),
      serverLatenessMaxMs: round(Math.max(...serverSide)),
      poolWaitingWhileSlow: waitingWhileSlow,
      poolDrainedAfterS: round(drainedAfterMs / 1000, 2),
      normalCallMs: round(normalMs),
    });

    expect(burst.map((b) => codeName(b.code))).toEqual(Array(CALLS).fill('DEADLINE_EXCEEDED'));
    // The server gave up too (it logged the calls as DEADLINE_EXCEEDED), rather than working on.
    expect(serverSide).toHaveLength(CALLS);
    expect(listed.facts.map((f) => f.content)).toContain('Likes rain');
    expect(await metricValue(server.metricsUrl, 'recall_db_pool_waiting')).toBe(0);
  }, 90_000);
});
