/**
 * `npm run bench:layers -- OTHER_CHECKOUT`: recall's own gRPC layer, this build against another
 * built checkout, in one process — the request byte check on the benchmark's requests, and a
 * whole call through the middleware chain and the grpc-js adapter (answered, and failed fast
 * with UNAVAILABLE), logging into a sink that drops the bytes. The two builds alternate in
 * blocks; each figure is CPU ns per operation (process.cpuUsage), the median over rounds.
 * No network, no store: what is left is recall's per-call code, and CPU time holds far
 * steadier than wall time on a shared machine.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { Metadata } from '@grpc/grpc-js';
import { AddFactsRequest, ListFactsRequest, MemoryServiceService } from '../src/gen/recall/v1/memory';
import { SearchRequest } from '../src/gen/recall/v1/search';
import { renderText } from './report/report-table';
import { median, round } from './report/stats';
import { PROJECT_ROOT } from './server/recall-process';

type Build = {
  label: string;
  checkBytes: (bytes: Uint8Array, message: unknown) => unknown;
  registry: { getMessage(name: string): unknown };
  listFacts: (call: unknown, callback: (error: unknown, value?: unknown) => void) => void;
  failFast: (call: unknown, callback: (error: unknown, value?: unknown) => void) => void;
};

function load(label: string, root: string): Build {
  const dist = (file: string) => require(path.join(root, 'dist', 'src', file));
  const { checkRequestBytes } = dist('grpc/request-bytes-check.js');
  const { loadMessageRegistry } = dist('grpc/guarded-definition.js');
  const { createRpcRuntime } = dist('grpc/rpc-runtime.js');
  const { createMetrics } = dist('observability/metrics.js');
  const { createLogger } = dist('observability/logger.js');
  const { UnavailableError } = dist('domain/errors.js');
  const sink = new Writable({ write: (_chunk, _enc, done) => done() });
  const runtime = createRpcRuntime({
    metrics: createMetrics('recall_', { processMetrics: false }),
    logger: createLogger('info', sink),
    authTokens: [],
  });
  const handlers = (listFacts: () => Promise<unknown>) =>
    Object.fromEntries(Object.keys(MemoryServiceService).map((key) => [key, listFacts]));
  const answer = { facts: [], nextPageToken: '' };
  const ok = runtime.implement(MemoryServiceService, handlers(async () => answer) as never);
  const failing = runtime.implement(
    MemoryServiceService,
    handlers(async () => {
      throw new UnavailableError('postgres is unavailable (circuit breaker open)');
    }) as never,
  );
  return {
    label,
    checkBytes: checkRequestBytes,
    registry: loadMessageRegistry(),
    listFacts: ok.listFacts as Build['listFacts'],
    failFast: failing.listFacts as Build['failFast'],
  };
}

/** A grpc-js server call as the adapter reads it. */
function fakeCall(request: unknown) {
  return {
    request,
    metadata: new Metadata(),
    getDeadline: () => Number.POSITIVE_INFINITY,
    sendMetadata: () => undefined,
    on: () => undefined,
    removeListener: () => undefined,
  };
}

/** CPU ns per run of `op` over `n` runs (awaited one after another). */
async function cpuNs(n: number, op: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await op();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

const viaCallback = (impl: Build['listFacts'], request: unknown) => () =>
  new Promise<void>((resolve) => impl(fakeCall(request), () => resolve()));

async function main(): Promise<void> {
  const other = process.argv[2];
  if (!other) throw new Error('usage: npm run bench:layers -- OTHER_CHECKOUT (built)');
  const builds = [load('other', path.resolve(other)), load('this', PROJECT_ROOT)];
  const listFacts = ListFactsRequest.fromPartial({ userId: 'bench-user-0001', pageSize: 20 });
  const requests = {
    'byte check ListFacts': ['recall.v1.ListFactsRequest', ListFactsRequest.encode(listFacts).finish()],
    'byte check AddFacts (5 facts)': [
      'recall.v1.AddFactsRequest',
      AddFactsRequest.encode(
        AddFactsRequest.fromPartial({
          userId: 'bench-user-0001',
          facts: Array.from({ length: 5 }, (_, i) => ({
            content: `The user prefers green tea ${i}`,
            source: 'chat:1',
            metadata: { topic: 'drinks', tags: ['a', 'b'] },
          })),
        }),
      ).finish(),
    ],
    'byte check Search': [
      'recall.v1.SearchRequest',
      SearchRequest.encode(
        SearchRequest.fromPartial({ query: 'how do I reset my password', collections: ['bench_0', 'bench_1'] }),
      ).finish(),
    ],
  } as const;
  const ops: Array<[string, (b: Build) => () => unknown, number]> = [
    ...Object.entries(requests).map(([name, [type, bytes]]): [string, (b: Build) => () => unknown, number] => [
      name,
      (b) => {
        const message = b.registry.getMessage(type);
        return () => b.checkBytes(bytes, message);
      },
      20_000,
    ]),
    ['call answered (chain + adapter)', (b) => viaCallback(b.listFacts, listFacts), 5_000],
    ['call failed fast (chain + adapter)', (b) => viaCallback(b.failFast, listFacts), 5_000],
  ];
  const rows: string[][] = [['operation', 'other CPU ns/op', 'this CPU ns/op', 'this / other']];
  for (const [name, make, n] of ops) {
    const runs = builds.map(make);
    const samples = builds.map((): number[] => []);
    for (let round = 0; round < 12; round++) {
      for (let k = 0; k < builds.length; k++) {
        const b = (round + k) % builds.length;
        samples[b]!.push(await cpuNs(n, runs[b]!));
      }
    }
    // The first rounds warm the JIT up.
    const [before, after] = samples.map((s) => median(s.slice(2)));
    rows.push([name, String(round(before!, 0)), String(round(after!, 0)), `${round(after! / before!, 2)}x`]);
  }
  process.stdout.write(`${renderText(rows)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`layer-micro: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
