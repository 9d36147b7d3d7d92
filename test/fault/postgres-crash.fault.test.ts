import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import { connectClients } from '../../harness/grpc-clients';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { codeName, countBy, percentile, reportFigures, round } from './support/figures';
import { type CallRecord, type Load, sleep, startLoad, waitUntil } from './support/load';
import { httpStatus } from './support/sidecar';

const WRITERS = 3;
const TALKERS = 3;
const DOWN_MS = 3_000;
const CALL_TIMEOUT_MS = 5_000;
/** The postgres breaker's reset (recall's default) plus a margin for a half-open probe to land. */
const RECOVERY_LIMIT_MS = 10_000 + 15_000;

/**
 * PostgreSQL crashes (`pg_ctl stop -m immediate`) under AddFacts and AppendMessages from
 * several callers and comes back: no acknowledged write is lost, calls fail fast with
 * UNAVAILABLE while it is down, /readyz goes 503 then 200, and writes resume without
 * restarting recall.
 */
describe('PostgreSQL crash and restart under writes', () => {
  let cluster: PostgresCluster;
  let server: ServerProcess;
  let dataDir: string;
  let clients: ReturnType<typeof connectClients>;
  let load: Load | undefined;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-pg-'));
    server = await startServerProcess({
      DATABASE_URL: cluster.urlFor('recall'),
      DATA_DIR: dataDir,
      PG_POOL_MIN: '2',
      PG_CONNECT_TIMEOUT_MS: '1000',
    });
    clients = connectClients(server.grpcAddress);
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    clients?.memory.close();
    await server?.stop('SIGKILL');
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write, fails fast while down and recovers on its own', async () => {
    const ackedFacts = new Map<string, string[]>();
    const conversations = new Map<number, string>();
    const ackedMessages = new Map<string, string[]>();
    const running = startLoad(WRITERS + TALKERS, async (caller, seq) => {
      if (caller < WRITERS) {
        const userId = `writer-${caller}`;
        const content = `fact ${caller}-${seq}`;
        await clients.memory.addFacts(
          { userId, facts: [{ content, source: 'fault', confidence: 1 }] },
          { timeoutMs: CALL_TIMEOUT_MS },
        );
        ackedFacts.set(userId, [...(ackedFacts.get(userId) ?? []), content]);
        return;
      }
      const content = `message ${caller}-${seq}`;
      const answer = await clients.memory.appendMessages(
        {
          userId: `talker-${caller}`,
          conversationId: conversations.get(caller) ?? '',
          title: conversations.has(caller) ? '' : `talk ${caller}`,
          messages: [{ role: 'user', content }],
        },
        { timeoutMs: CALL_TIMEOUT_MS },
      );
      conversations.set(caller, answer.conversationId);
      ackedMessages.set(answer.conversationId, [...(ackedMessages.get(answer.conversationId) ?? []), content]);
    });

    load = running;
    await sleep(2_000);
    await cluster.crash();
    const notReadyAfterMs = await waitUntil(
      '/readyz 503',
      async () => (await httpStatus(server.metricsUrl, '/readyz')) === 503,
      15_000,
    );
    const downSince = performance.now();
    await sleep(DOWN_MS);
    const restartAt = performance.now();
    await cluster.start();
    const returnedAt = performance.now();
    const readyAfterMs = await waitUntil(
      '/readyz 200',
      async () => (await httpStatus(server.metricsUrl, '/readyz')) === 200,
      RECOVERY_LIMIT_MS,
    );
    await waitUntil(
      'a write acknowledged after the restart',
      async () => running.records.some((r) => r.code === status.OK && r.start >= returnedAt),
      RECOVERY_LIMIT_MS,
    );
    await sleep(1_000);
    await running.stop();
    const { records } = running;

    const firstOk = Math.min(...records.filter((r) => r.code === status.OK && r.start >= returnedAt).map((r) => r.end));
    const whileDown = records.filter((r) => r.start >= downSince && r.end <= restartAt);
    const failedWhileDown = whileDown.filter((r) => r.code !== status.OK);
    const codes = countBy(records, (r) => codeName(r.code));

    const lost = await lostWrites(ackedFacts, ackedMessages);
    const acked = [...ackedFacts.values(), ...ackedMessages.values()].reduce((n, list) => n + list.length, 0);
    reportFigures('postgres-crash', {
      calls: records.length,
      acknowledged: acked,
      lost: lost.length,
      codes,
      downCalls: whileDown.length,
      downUnavailable: failedWhileDown.filter((r) => r.code === status.UNAVAILABLE).length,
      downFailP50Ms: round(percentile(failedWhileDown.map(durationOf), 50), 2),
      downFailP99Ms: round(percentile(failedWhileDown.map(durationOf), 99), 2),
      readyz503AfterCrashS: round(notReadyAfterMs / 1000, 2),
      readyz200AfterReturnS: round(readyAfterMs / 1000, 2),
      writesBackAfterReturnS: round((firstOk - returnedAt) / 1000, 2),
      restartTookS: round((returnedAt - restartAt) / 1000, 2),
    });

    expect(lost).toEqual([]);
    expect(acked).toBeGreaterThan(0);
    // While the database was down every call failed, and failed as UNAVAILABLE (retryable), not INTERNAL.
    expect(whileDown.length).toBeGreaterThan(0);
    expect(failedWhileDown).toHaveLength(whileDown.length);
    expect(new Set(failedWhileDown.map((r) => codeName(r.code)))).toEqual(new Set(['UNAVAILABLE']));
    expect(Object.keys(codes).filter((c) => c !== 'OK' && c !== 'UNAVAILABLE')).toEqual([]);
  }, 120_000);

  /** Acknowledged facts and messages missing when read back through the RPCs. */
  async function lostWrites(facts: Map<string, string[]>, messages: Map<string, string[]>): Promise<string[]> {
    const missing: string[] = [];
    for (const [userId, contents] of facts) {
      const stored = new Set<string>();
      let pageToken = '';
      do {
        const page = await clients.memory.listFacts({ userId, pageSize: 100, pageToken });
        for (const f of page.facts) stored.add(f.content);
        pageToken = page.nextPageToken;
      } while (pageToken);
      missing.push(...contents.filter((c) => !stored.has(c)));
    }
    for (const [conversationId, contents] of messages) {
      const userId = `talker-${contents[0]?.split(' ')[1]?.split('-')[0]}`;
      const stored = new Set<string>();
      let pageToken = '';
      do {
        const page = await clients.memory.getConversation({ userId, conversationId, pageSize: 100, pageToken });
        for (const m of page.messages) stored.add(m.content);
        pageToken = page.nextPageToken;
      } while (pageToken);
      missing.push(...contents.filter((c) => !stored.has(c)));
    }
    return missing;
  }
});

function durationOf(r: CallRecord): number {
  return r.end - r.start;
}
