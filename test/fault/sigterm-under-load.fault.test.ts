import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import { connectClients } from '../../harness/grpc-clients';
import { type ModelServer, startModelServer } from '../../harness/model-server';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { codeName, countBy, reportFigures } from './support/figures';
import { type Load, sleep, startLoad, waitUntil } from './support/load';

const CALLERS = 8;
const EMBED_LATENCY_MS = 400;
/** A call sent this long before the signal has surely reached the server (loopback). */
const SURELY_ARRIVED_MS = 100;

/**
 * SIGTERM while eight callers keep adding facts (each call held ~0.4 s by a slow embedding
 * service): every call already in flight completes OK, calls sent once the server handles
 * the signal are refused with UNAVAILABLE, the process exits 0, and every acknowledged fact is stored.
 */
describe('SIGTERM under load', () => {
  let cluster: PostgresCluster;
  let models: ModelServer;
  let server: ServerProcess;
  let dataDir: string;
  let load: Load | undefined;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    models = await startModelServer({ embedLatencyMs: EMBED_LATENCY_MS, dimension: 384 });
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-sigterm-'));
    server = await startServerProcess({
      DATABASE_URL: cluster.urlFor('recall'),
      DATA_DIR: dataDir,
      EMBEDDING_URL: models.url,
      SHUTDOWN_GRACE_MS: '10000',
    });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await server?.stop('SIGKILL');
    await models?.close();
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('completes calls in flight, refuses new ones and exits 0', async () => {
    const clients = connectClients(server.grpcAddress);
    const acked: string[] = [];
    const running = startLoad(
      CALLERS,
      async (caller, seq) => {
        const content = `fact ${caller}-${seq}`;
        await clients.memory.addFacts(
          { userId: 'busy', facts: [{ content, source: '', confidence: 1 }] },
          { timeoutMs: 15_000 },
        );
        acked.push(content);
      },
      5,
    );
    load = running;
    await sleep(1_000);
    // Signal while a call is surely in the server and still has most of its time to run, so
    // "in flight at the signal" is what the test makes true, not what a loaded machine allows.
    await waitUntil(
      'a call in flight for a while',
      async () =>
        running.inFlight().some((start) => {
          const age = performance.now() - start;
          return age >= SURELY_ARRIVED_MS && age <= EMBED_LATENCY_MS / 2;
        }),
      30_000,
      5,
    );
    const signalledAt = performance.now();
    const exitCode = await server.stop('SIGTERM');
    const exitedAt = performance.now();
    await sleep(300);
    await running.stop();
    clients.memory.close();

    const inFlight = running.records.filter((r) => r.start < signalledAt - SURELY_ARRIVED_MS && r.end > signalledAt);
    // The server handles the signal on its event loop a little after it is sent; calls sent in
    // between may still be served. From its 'shutting down' line on, every new call is refused.
    const shuttingDown = server.logs.find((l) => l.msg === 'shutting down');
    const refusingFrom = Date.parse(String(shuttingDown?.time)) - performance.timeOrigin;
    const beforeHandled = running.records.filter((r) => r.start > signalledAt && r.start <= refusingFrom);
    const after = running.records.filter((r) => r.start > refusingFrom);
    const afterWhileDraining = after.filter((r) => r.start < exitedAt);

    // Restart on the same database: every acknowledged fact is there.
    server = await startServerProcess({ DATABASE_URL: cluster.urlFor('recall'), DATA_DIR: dataDir });
    const reader = connectClients(server.grpcAddress);
    const stored = new Set<string>();
    let pageToken = '';
    do {
      const page = await reader.memory.listFacts({ userId: 'busy', pageSize: 100, pageToken });
      for (const f of page.facts) stored.add(f.content);
      pageToken = page.nextPageToken;
    } while (pageToken);
    reader.memory.close();
    const lost = acked.filter((c) => !stored.has(c));

    reportFigures('sigterm-under-load', {
      exitCode,
      drainS: Math.round(exitedAt - signalledAt) / 1000,
      inFlightAtSignal: inFlight.length,
      inFlightCompletedOk: inFlight.filter((r) => r.code === status.OK).length,
      signalHandledAfterMs: Math.round(refusingFrom - signalledAt),
      sentBeforeSignalHandled: beforeHandled.length,
      sentWhileDraining: afterWhileDraining.length,
      sentAfterSignal: after.length,
      afterSignalCodes: countBy(after, (r) => codeName(r.code)),
      acknowledged: acked.length,
      lost: lost.length,
    });

    expect(exitCode).toBe(0);
    expect(shuttingDown).toBeDefined();
    expect(inFlight.length).toBeGreaterThan(0);
    expect(inFlight.map((r) => codeName(r.code))).toEqual(inFlight.map(() => 'OK'));
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((r) => codeName(r.code)))).toEqual(new Set(['UNAVAILABLE']));
    expect(lost).toEqual([]);
  }, 120_000);
});
