import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { createTestDatabase } from '../../harness/postgres';
import { bufCurl } from '../support/buf-curl';
import { requireService } from '../support/require-service';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/** Polls `check` until it returns true, up to `ms`; resolves to whether it did. */
async function eventually(check: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}

/** SupersedeFact, GetFactHistory, as_of, expiry and the sweeper through the built server. */
describe('facts that change and expire, end to end (PostgreSQL + Milvus Lite)', () => {
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dropDatabase: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    const db = await createTestDatabase(requireService('postgres'));
    dropDatabase = db.drop;
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-e2e-validity-'));
    server = await startServerProcess({
      DATABASE_URL: db.url,
      MILVUS_ADDRESS: requireService('milvus'),
      DATA_DIR: dataDir,
      PG_POOL_MIN: '1',
      MEMORY_SWEEP_INTERVAL_MS: '300',
    });
    clients = connectClients(server.grpcAddress);
  });

  afterAll(async () => {
    clients?.memory.close();
    await server?.stop();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('supersedes a fact with buf curl (reflection only) and reads its history and the past', async () => {
    const method = (rpc: string) => `recall.v1.MemoryService/${rpc}`;
    const added = await bufCurl(server.grpcAddress, method('AddFacts'), {
      userId: 'mover',
      facts: [{ content: 'Lives in Berlin', validFrom: '2019-03-01T00:00:00Z' }],
    });
    expect(added.status).toBe(0);
    const berlin = (added.json!.facts as Array<{ id: string; validFrom: string }>)[0]!;
    expect(berlin.validFrom).toBe('2019-03-01T00:00:00Z');

    const superseded = await bufCurl(server.grpcAddress, method('SupersedeFact'), {
      userId: 'mover',
      factId: berlin.id,
      fact: { content: 'Lives in Lisbon', source: 'chat:7' },
      at: '2024-06-01T00:00:00Z',
    });
    expect(superseded.status).toBe(0);
    const json = superseded.json as { fact: { id: string; validFrom: string }; superseded: Record<string, string> };
    expect(json.fact.validFrom).toBe('2024-06-01T00:00:00Z');
    expect(json.superseded).toMatchObject({
      id: berlin.id,
      validUntil: '2024-06-01T00:00:00Z',
      supersededBy: json.fact.id,
    });

    const history = await bufCurl(server.grpcAddress, method('GetFactHistory'), {
      userId: 'mover',
      factId: json.fact.id,
    });
    expect((history.json!.facts as Array<{ content: string }>).map((f) => f.content)).toEqual([
      'Lives in Berlin',
      'Lives in Lisbon',
    ]);
    const now = await clients.memory.listFacts({ userId: 'mover' });
    expect(now.facts.map((f) => f.content)).toEqual(['Lives in Lisbon']);
    const then = await clients.memory.recallFacts({
      userId: 'mover',
      query: 'where does he live',
      asOf: new Date('2020-01-01'),
    });
    expect(then.facts.map((f) => f.content)).toEqual(['Lives in Berlin']);
    const all = await clients.memory.listFacts({ userId: 'mover', includeHistory: true });
    expect(all.facts).toHaveLength(2);

    // Superseding the closed version again: FAILED_PRECONDITION; another user's fact: NOT_FOUND.
    const again = await bufCurl(server.grpcAddress, method('SupersedeFact'), {
      userId: 'mover',
      factId: berlin.id,
      fact: { content: 'Lives in Porto' },
    });
    expect(again.status).toBe(status.FAILED_PRECONDITION);
    expect(
      await statusOf(
        clients.memory.supersedeFact({ userId: 'someone-else', factId: json.fact.id, fact: { content: 'x' } }),
      ),
    ).toBe(status.NOT_FOUND);
    expect(await statusOf(clients.memory.getFactHistory({ userId: 'someone-else', factId: json.fact.id }))).toBe(
      status.NOT_FOUND,
    );
  });

  it('refuses expires_at together with ttl, naming the field', async () => {
    const result = await bufCurl(server.grpcAddress, 'recall.v1.MemoryService/AddFacts', {
      userId: 'bad-ttl',
      facts: [{ content: 'x', ttl: '60s', expiresAt: '2099-01-01T00:00:00Z' }],
    });
    expect(result.status).toBe(status.INVALID_ARGUMENT);
    expect(result.stderr + result.stdout).toContain('facts[0].ttl');
    expect(await statusOf(clients.memory.getUserStats({ userId: 'bad-ttl' }))).toBe(status.NOT_FOUND);
  });

  it('never returns a fact past its ttl, and the sweeper deletes it (metrics show it)', async () => {
    const added = await clients.memory.addFacts({
      userId: 'forgetful',
      facts: [{ content: 'Parking spot is B12', ttl: { seconds: 1, nanos: 0 } }, { content: 'Drives a red car' }],
    });
    expect(added.facts[0]!.expiresAt).toBeInstanceOf(Date);
    const gone = await eventually(async () => {
      const listed = await clients.memory.listFacts({ userId: 'forgetful', includeHistory: true });
      return listed.facts.length === 1;
    });
    expect(gone).toBe(true);
    const recalled = await clients.memory.recallFacts({ userId: 'forgetful', query: 'parking spot' });
    expect(recalled.facts.map((f) => f.content)).toEqual(['Drives a red car']);
    const swept = await eventually(async () => {
      const { stats } = await clients.memory.getUserStats({ userId: 'forgetful' });
      return stats?.factCount === 1;
    });
    expect(swept).toBe(true);
    const metrics = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    const counter = /^recall_memory_facts_swept_total (\d+)/m.exec(metrics);
    expect(Number(counter?.[1])).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^recall_memory_fact_sweep_duration_seconds_count [1-9]/m);
    expect(await clients.memory.forgetUser({ userId: 'forgetful' })).toMatchObject({
      deletedFacts: 1,
      deletedFactVectors: 1,
    });
  });
});
