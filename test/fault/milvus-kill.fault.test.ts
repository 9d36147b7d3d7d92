import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import { connectClients } from '../../harness/grpc-clients';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import {
  type RestartableMilvus,
  startRestartableMilvusLite,
  startRestartableMilvusStandalone,
} from '../../harness/restartable-milvus';
import { SearchRequest, type SearchResponse } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { codeName, countBy, percentile, reportFigures, round } from './support/figures';
import { type Load, sleep, startLoad, waitUntil } from './support/load';

const CALLERS = 4;
const DOWN_MS = 4_000;
const COLLECTION = 'handbook';
const TEXTS = ['Rain is expected on Tuesday', 'The office opens at nine', 'Lunch is served at noon', 'Parking is free'];

const KINDS = [
  { kind: 'Milvus Lite', scenario: 'milvus-lite-kill', start: startRestartableMilvusLite, timeoutMs: '2000' },
  {
    kind: 'Milvus 2.3 standalone',
    scenario: 'milvus-standalone-kill',
    start: startRestartableMilvusStandalone,
    // Creating a collection there takes seconds.
    timeoutMs: '10000',
  },
];

/**
 * Milvus (Lite, and the 2.3 standalone) is killed (SIGKILL) under search load and started
 * again on the same ports and data: while its breaker is open searches fail fast
 * (UNAVAILABLE, or a partial answer naming the collection), and searching recovers without
 * restarting recall.
 */
describe.each(KINDS)('$kind killed under search load', ({ kind, scenario, start, timeoutMs }) => {
  let cluster: PostgresCluster;
  let milvus: RestartableMilvus;
  let server: ServerProcess;
  let dataDir: string;
  let clients: ReturnType<typeof connectClients>;
  let load: Load | undefined;

  beforeAll(async () => {
    [cluster, milvus] = await Promise.all([startPostgresCluster(), start()]);
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-milvus-'));
    server = await startServerProcess({
      DATABASE_URL: cluster.urlFor('recall'),
      MILVUS_ADDRESS: milvus.address,
      MILVUS_TIMEOUT_MS: timeoutMs,
      DATA_DIR: dataDir,
      PG_POOL_MIN: '1',
    });
    clients = connectClients(server.grpcAddress);
    await clients.search.upsertDocuments({
      collection: COLLECTION,
      documents: TEXTS.map((text, i) => ({ id: `doc-${i}`, text, metadata: {}, vector: [] })),
    });
  }, 300_000);

  afterAll(async () => {
    await load?.stop();
    clients?.search.close();
    await server?.stop('SIGKILL');
    await Promise.all([milvus?.destroy(), cluster?.destroy()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails fast while it is down and recovers without a restart', async () => {
    const answers = new Map<string, SearchResponse>();
    const search = () =>
      clients.search.search(
        SearchRequest.fromPartial({
          query: 'when does it rain',
          collections: [COLLECTION],
          limit: 3,
          skipGoldenAnswer: true,
        }),
        { timeoutMs: 5_000 },
      );
    const running = startLoad(
      CALLERS,
      async (caller, seq) => {
        const answer = await search();
        answers.set(`${caller}-${seq}`, answer);
        if (answer.partial || answer.hits.length === 0) throw Object.assign(new Error('partial'), { code: -2 });
      },
      20,
    );
    load = running;
    await sleep(1_500);
    const killedAt = performance.now();
    const killedAtWall = Date.now();
    await milvus.kill();
    await sleep(DOWN_MS);
    const restartAt = performance.now();
    const restartAtWall = Date.now();
    await milvus.start();
    const milvusUpAt = performance.now();
    await waitUntil(
      `a full search answer after ${kind} returned`,
      async () => running.records.some((r) => r.code === status.OK && r.start >= milvusUpAt),
      120_000,
    );
    await sleep(500);
    await running.stop();
    const { records } = running;

    // "While the breaker is open": after the first fast failure, until Milvus Lite is started again.
    const failed = records.filter((r) => r.code !== status.OK && r.start >= killedAt && r.end <= restartAt);
    const firstFailEnd = Math.min(...failed.map((r) => r.end));
    const whileOpen = failed.filter((r) => r.start >= firstFailEnd);
    const serverSideMs = server.logs
      .filter((l) => l.msg === 'rpc' && String(l.method).endsWith('/Search'))
      .filter((l) => {
        const at = Date.parse(String(l.time));
        return at >= killedAtWall + (firstFailEnd - killedAt) && at <= restartAtWall;
      })
      .map((l) => Number(l.ms));
    const firstOkAfter = Math.min(
      ...records.filter((r) => r.code === status.OK && r.start >= milvusUpAt).map((r) => r.end),
    );
    const partials = [...answers.values()].filter((a) => a.partial);
    reportFigures(scenario, {
      calls: records.length,
      codes: countBy(records, (r) => (r.code === -2 ? 'PARTIAL' : codeName(r.code))),
      failedWhileDown: failed.length,
      firstFailureAfterKillS: round((firstFailEnd - killedAt) / 1000, 2),
      whileOpenCalls: whileOpen.length,
      clientFastFailP50Ms: round(
        percentile(
          whileOpen.map((r) => r.end - r.start),
          50,
        ),
        2,
      ),
      clientFastFailP99Ms: round(
        percentile(
          whileOpen.map((r) => r.end - r.start),
          99,
        ),
        2,
      ),
      serverFastFailP50Ms: round(percentile(serverSideMs, 50), 2),
      serverFastFailP99Ms: round(percentile(serverSideMs, 99), 2),
      milvusRestartTookS: round((milvusUpAt - restartAt) / 1000, 2),
      recoveredAfterMilvusUpS: round((firstOkAfter - milvusUpAt) / 1000, 2),
      partialReasons: [...new Set(partials.flatMap((a) => a.failedCollections.map((f) => f.reason)))].slice(0, 3),
    });

    expect(failed.length).toBeGreaterThan(0);
    expect(whileOpen.length).toBeGreaterThan(0);
    // A failure is UNAVAILABLE or a partial answer naming the collection — never INTERNAL or a hang.
    expect(
      Object.keys(countBy(failed, (r) => (r.code === -2 ? 'PARTIAL' : codeName(r.code)))).filter(
        (c) => c !== 'UNAVAILABLE' && c !== 'PARTIAL',
      ),
    ).toEqual([]);
    for (const a of partials) expect(a.failedCollections.map((f) => f.name)).toEqual([COLLECTION]);
    // Recovered without restarting recall: the same process answers in full again.
    expect(server.child.exitCode).toBeNull();
  }, 300_000);
});
