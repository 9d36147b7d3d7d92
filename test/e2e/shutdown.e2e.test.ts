import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { type ModelServer, startModelServer } from '../../harness/model-server';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/**
 * SIGTERM while a call is in flight: the call completes, new calls are refused, the process
 * exits 0. The in-flight call is made slow by an embedding service that takes 1.5 s (facts
 * are embedded when added).
 */
describe('graceful shutdown', () => {
  let dataDir: string;
  let models: ModelServer;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-shutdown-'));
    models = await startModelServer({ embedLatencyMs: 1500, dimension: 384 });
    server = await startServerProcess({ DATA_DIR: dataDir, EMBEDDING_URL: models.url, SHUTDOWN_GRACE_MS: '10000' });
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await models?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes the call in flight, refuses new ones and exits 0', async () => {
    const clients = connectClients(server.grpcAddress);
    const inFlight = clients.memory.addFacts({
      userId: 'slow',
      facts: [{ content: 'Acknowledged before shutdown', source: '', confidence: 1 }],
    });
    while (models.requests.embed === 0) await new Promise((r) => setTimeout(r, 20));
    const exited = server.stop('SIGTERM');
    const added = await inFlight;
    expect(added.created).toBe(1);
    const late = await statusOf(clients.memory.listFacts({ userId: 'slow', pageSize: 0, pageToken: '' }));
    expect(late).toBe(status.UNAVAILABLE);
    expect(await exited).toBe(0);
    expect(server.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    clients.memory.close();

    // Nothing acknowledged is lost: the fact is there after a restart.
    await models.close();
    server = await startServerProcess({ DATA_DIR: dataDir });
    const after = connectClients(server.grpcAddress);
    const listed = await after.memory.listFacts({ userId: 'slow', pageSize: 0, pageToken: '' });
    expect(listed.facts.map((f) => f.content)).toEqual(['Acknowledged before shutdown']);
    after.memory.close();
  });
});
