import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceError } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { SearchRequest } from '../../src/gen/recall/v1/search';
import type { BenchOptions } from '../cli-options';
import { machineInfo, versions } from '../report/machine-info';
import type { Reporter } from '../report/progress';
import { fileStamp } from '../report/results-writer';
import { type SoakSample, renderSoak, soakVerdict } from '../report/soak-report';
import { provideBenchBackends } from '../server/backends';
import { type RecallClients, connectRecall } from '../server/clients';
import { ensureBuild } from '../server/ensure-build';
import { parsePrometheusText } from '../server/prometheus-text';
import { PROJECT_ROOT, startRecall } from '../server/recall-process';
import { runLoad } from '../workload/load-runner';
import { type BenchUser, generateUser } from '../workload/memory-workload';
import { createRandom } from '../workload/prng';
import { corpusOf, memoryOptions, recordedOptions } from '../workload/run-inputs';
import { seed } from '../workload/seed';

const SAMPLE_EVERY_MS = 5_000;
const MIB = 1024 * 1024;

/**
 * `npm run bench -- --soak MINUTES`: starts recall as configured by default on the chosen
 * backends, seeds it, then for MINUTES runs the benchmark's read mix (Search, ListFacts,
 * ListConversations, GetUserStats) with writers alongside that leave the data's size steady
 * (AddFacts of facts already stored, UpsertDocuments replacing a document with itself,
 * RecallFacts, and Searches naming collections that do not exist), sampling the server's
 * RSS, heap, event-loop delay, throughput and /metrics size every 5 s. Prints the table and
 * whether RSS is flat between the second and the last third; writes `<stamp>-soak.json`.
 */
export async function runSoak(
  options: BenchOptions,
  reporter: Reporter,
  registerCleanup: (cleanup: () => Promise<void>) => void,
): Promise<{ text: string; file: string }> {
  const minutes = options.soakMinutes ?? 5;
  ensureBuild(reporter.log);
  const corpus = corpusOf(options);
  const memory = memoryOptions(options);
  const collections = corpus.collections.map((c) => c.name);
  const backends = await provideBenchBackends(options);
  const server = await startRecall('soak', { ...backends.env(), SEARCH_DEFAULT_COLLECTIONS: collections.join(',') });
  const cleanup = async () => {
    await server.stop().catch(() => undefined);
    await backends.close();
  };
  registerCleanup(cleanup);
  const clients = connectRecall(server.grpcAddress);
  const startedAt = new Date().toISOString();
  try {
    reporter.log(`soak: ${backends.description.database}; ${backends.description.vectors}; seeding`);
    await seed(clients, corpus, memory, reporter);
    const users = Array.from({ length: memory.users }, (_, i) => generateUser(memory, i));
    const durationMs = minutes * 60_000;
    const writers = Math.max(2, Math.round(options.concurrency / 8));
    reporter.log(`soak: ${minutes} min, ${options.concurrency - writers} readers + ${writers} writers`);

    const samples: SoakSample[] = [];
    const started = performance.now();
    const done = { value: false };
    const sampler = sampleUntil(server.metricsUrl, started, samples, done, reporter);
    const [reads, writes] = await Promise.all([
      runLoad(clients, {
        concurrency: Math.max(1, options.concurrency - writers),
        durationMs,
        seed: options.seed,
        stream: 'soak',
        collections,
        users: options.users,
        queries: corpus.queries,
      }),
      writeLoad(clients, users, corpus.collections, writers, durationMs, options.seed),
    ]);
    done.value = true;
    await sampler;

    const verdict = soakVerdict(samples, durationMs / 1000);
    const text = renderSoak(samples, verdict);
    const file = path.join(options.outDir, `${fileStamp()}-soak.json`);
    mkdirSync(options.outDir, { recursive: true });
    const result = {
      schema: 'recall-bench-soak/1',
      startedAt,
      finishedAt: new Date().toISOString(),
      minutes,
      machine: machineInfo(),
      versions: versions(PROJECT_ROOT),
      options: recordedOptions(options),
      backends: backends.description,
      load: {
        reads: { completed: reads.completed, errors: reads.errors },
        writes,
        readers: Math.max(1, options.concurrency - writers),
        writers,
      },
      samples,
      verdict,
      serverProblems: server.problems,
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    return { text, file };
  } finally {
    clients.close();
    await cleanup();
  }
}

/** Scrapes /metrics every SAMPLE_EVERY_MS until `done`, appending one sample per scrape. */
async function sampleUntil(
  metricsUrl: string,
  started: number,
  samples: SoakSample[],
  done: { value: boolean },
  reporter: Reporter,
): Promise<void> {
  let previous: { at: number; handled: number } | undefined;
  while (!done.value) {
    await sleep(SAMPLE_EVERY_MS);
    const at = performance.now();
    let text: string;
    try {
      const response = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
      text = await response.text();
    } catch (error) {
      reporter.log(`soak: /metrics scrape failed: ${(error as Error).message}`);
      continue;
    }
    const parsed = parsePrometheusText(text);
    const value = (name: string) => parsed.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
    const handled = value('grpc_server_handled_total');
    const sample: SoakSample = {
      atSeconds: (at - started) / 1000,
      rssMiB: value('process_resident_memory_bytes') / MIB,
      heapUsedMiB: value('nodejs_heap_size_used_bytes') / MIB,
      eventLoopP99Ms: value('nodejs_eventloop_lag_p99_seconds') * 1000,
      callsPerSecond: previous ? (handled - previous.handled) / ((at - previous.at) / 1000) : 0,
      metricsKiB: Buffer.byteLength(text) / 1024,
    };
    previous = { at, handled };
    samples.push(sample);
    reporter.log(
      `soak: ${Math.round(sample.atSeconds)} s  RSS ${sample.rssMiB.toFixed(0)} MiB  heap ${sample.heapUsedMiB.toFixed(0)} MiB  ` +
        `loop p99 ${sample.eventLoopP99Ms.toFixed(1)} ms  ${sample.callsPerSecond.toFixed(0)} calls/s`,
    );
  }
}

/**
 * Closed-loop writers whose writes leave the data's size unchanged, so a growing RSS can only
 * be the server's own: facts already stored (duplicates), a document replaced by itself,
 * RecallFacts, and Searches naming a collection that does not exist (NOT_FOUND, bounded state).
 */
async function writeLoad(
  clients: RecallClients,
  users: readonly BenchUser[],
  collections: ReturnType<typeof corpusOf>['collections'],
  writers: number,
  durationMs: number,
  seedValue: number,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const endAt = performance.now() + durationMs;
  let unknown = 0;
  const call = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
      count(`${name} OK`);
    } catch (error) {
      const code = (error as ServiceError).code;
      count(`${name} ${typeof code === 'number' ? status[code] : 'CLIENT_ERROR'}`);
    }
  };
  const worker = async (index: number) => {
    const random = createRandom(seedValue).fork(`soak:writer:${index}`);
    while (performance.now() < endAt) {
      const user = random.pick(users);
      const roll = random.next();
      if (roll < 0.3) {
        const facts = random.sample(user.facts, 3);
        await call('add_facts', () => clients.memory.addFacts({ userId: user.id, facts }, { timeoutMs: 30_000 }));
      } else if (roll < 0.55) {
        const collection = random.pick(collections);
        const doc = random.pick(collection.documents);
        await call('upsert_documents', () =>
          clients.search.upsertDocuments(
            { collection: collection.name, documents: [{ ...doc, vector: [] }] },
            { timeoutMs: 30_000 },
          ),
        );
      } else if (roll < 0.85) {
        const query = random.pick(user.facts).content.split(' ').slice(2, 6).join(' ');
        await call('recall_facts', () =>
          clients.memory.recallFacts({ userId: user.id, query, limit: 5 }, { timeoutMs: 30_000 }),
        );
      } else {
        const request = SearchRequest.fromPartial({ query: 'anything', collections: [`soak_unknown_${unknown++}`] });
        await call('search_unknown_collection', () => clients.search.search(request, { timeoutMs: 30_000 }));
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, i) => worker(i)));
  return counts;
}
