/**
 * `npm run bench:fast-fail -- [--callers N] [--pace MS] [--seconds S] [LABEL@CHECKOUT ...]`:
 * how fast recall fails while a breaker is open. Each server (this checkout, or the built
 * checkouts named) runs on a scratch PostgreSQL database reached through a TCP proxy; callers
 * send ListFacts, the proxy cuts every connection and refuses new ones, and once the
 * `postgres` breaker is open the calls that fail fast (UNAVAILABLE) are timed for S seconds:
 * server-side from each call's `rpc` log line (`ms`, as the fault tier reads it), and as the
 * caller saw them. The breaker's reset is set past the window, so no half-open probe to the
 * dead store is among them. `--cpu-prof DIR` profiles each server and prints its layers;
 * `--nice=N` sets the server main thread's priority (e.g. `--nice=-15`, root only) to tell recall's own
 * tail from the machine's.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type ServiceError, status } from '@grpc/grpc-js';
import { findPostgres } from '../harness/postgres';
import { createReporter } from './report/progress';
import { renderText } from './report/report-table';
import { round, summarize } from './report/stats';
import { type CpuProfile, attributeLayers, renderLayers } from './scenarios/cpu-profile-layers';
import { connectRecall } from './server/clients';
import { ensureBuild } from './server/ensure-build';
import { histogramDelta, scrapeMetrics } from './server/metrics-scrape';
import { startRecall } from './server/recall-process';
import { createScratchDatabase } from './server/scratch-database';

/** A TCP proxy to `target` that can be cut: open connections dropped, new ones refused. */
interface CuttableProxy {
  port: number;
  cut(): void;
  close(): Promise<void>;
}

async function startProxy(host: string, port: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Outcome {
  label: string;
  calls: number;
  /** ms the server's main thread waited on the CPU run queue, per second of the window (Linux). */
  runQueueMsPerS: number | undefined;
  /** Garbage collections in the window, and how many took longer than 10 ms. */
  gcs: number;
  gcsOver10Ms: number;
  server: ReturnType<typeof summarize>;
  client: ReturnType<typeof summarize>;
}

async function measure(
  label: string,
  root: string | undefined,
  options: {
    callers: number;
    paceMs: number;
    seconds: number;
    cpuProf?: string | undefined;
    nice?: number | undefined;
  },
): Promise<Outcome> {
  const database = await createScratchDatabase(await findPostgres());
  const url = new URL(database.url);
  const proxy = await startProxy(url.hostname, Number(url.port || 5432));
  url.host = `127.0.0.1:${proxy.port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fast-fail-'));
  const serverMs: Array<{ at: number; ms: number }> = [];
  const onLog = (entry: Record<string, unknown>) => {
    if (entry.msg === 'rpc' && entry.code === 'UNAVAILABLE') {
      serverMs.push({ at: Date.parse(String(entry.time)), ms: Number(entry.ms) });
    }
  };
  const env = {
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    PG_POOL_MIN: '1',
    BREAKER_RESET_MS: '600000',
    PG_CONNECT_TIMEOUT_MS: '1000',
  };
  const profileDir = options.cpuProf && path.join(options.cpuProf, label);
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await startRecall(label, env, nodeArgs, root, onLog);
  let window: [number, number] = [0, 0];
  const clients = connectRecall(server.grpcAddress);
  // A diagnostic: the server's main thread ahead of the machine's other work (root only).
  if (options.nice !== undefined) setPriority(server.pid, options.nice);
  try {
    const userId = 'fast-fail-user';
    await clients.memory.addFacts({ userId, facts: [{ content: 'likes tea', source: 'bench', confidence: 1 }] });
    const client: Array<{ at: number; ms: number; code: number }> = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const caller = async () => {
      while (performance.now() < stopAt) {
        const t0 = performance.now();
        let code = status.OK;
        try {
          await clients.memory.listFacts({ userId, pageSize: 20, pageToken: '' }, { timeoutMs: 5000 });
        } catch (error) {
          code = (error as ServiceError).code ?? -1;
        }
        client.push({ at: Date.now(), ms: performance.now() - t0, code });
        if (options.paceMs > 0) await new Promise((resolve) => setTimeout(resolve, options.paceMs));
      }
    };
    const running = Array.from({ length: options.callers }, caller);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    proxy.cut();
    const openedAt = await breakerOpen(server.metricsUrl);
    const [schedBefore, gcBefore] = [runQueueNs(server.pid), await scrapeMetrics(server.metricsUrl)];
    const from = Date.now();
    const fromMicros = Number(process.hrtime.bigint() / 1000n);
    stopAt = performance.now() + options.seconds * 1000;
    await Promise.all(running);
    window = [fromMicros, Number(process.hrtime.bigint() / 1000n)];
    const [schedAfter, gcAfter] = [runQueueNs(server.pid), await scrapeMetrics(server.metricsUrl)];
    const gc = histogramDelta(gcBefore, gcAfter, 'nodejs_gc_duration_seconds');
    const seconds = (window[1] - window[0]) / 1e6;
    // Let the last log lines arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fast = client.filter((c) => c.at >= from && c.code === status.UNAVAILABLE);
    const side = serverMs.filter((s) => s.at >= Math.max(from, openedAt)).map((s) => s.ms);
    return {
      label,
      calls: fast.length,
      runQueueMsPerS:
        schedBefore === undefined || schedAfter === undefined ? undefined : (schedAfter - schedBefore) / 1e6 / seconds,
      gcs: gc.count,
      gcsOver10Ms: gc.count - (gc.buckets.find((b) => b.le === 0.01)?.count ?? 0),
      server: summarize(side),
      client: summarize(fast.map((c) => c.ms)),
    };
  } finally {
    clients.close();
    await server.stop();
    if (profileDir) printProfile(profileDir, window, serverMs.length);
    await proxy.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Nanoseconds the main thread of `pid` has waited on a run queue (/proc/PID/schedstat), if readable. */
function runQueueNs(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The layers of the profile the server wrote in `dir`, inside `window`. */
function printProfile(dir: string, window: [number, number], calls: number): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return;
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  process.stdout.write(`${renderLayers(attributeLayers(profile, window), calls)}\nprofile: ${path.join(dir, file)}\n`);
}

/** Waits until recall_circuit_breaker_state{breaker="postgres",state="open"} is 1; its wall time. */
async function breakerOpen(metricsUrl: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    if (/circuit_breaker_state\{breaker="postgres",state="open"\} 1\b/.test(text)) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the postgres breaker did not open within 60 s of cutting the connection');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      callers: { type: 'string', default: '4' },
      pace: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '20' },
      'cpu-prof': { type: 'string' },
      nice: { type: 'string' },
    },
  });
  const options = {
    callers: Number(values.callers),
    paceMs: Number(values.pace),
    seconds: Number(values.seconds),
    cpuProf: values['cpu-prof'],
    nice: values.nice === undefined ? undefined : Number(values.nice),
  };
  const reporter = createReporter();
  ensureBuild(reporter.log);
  const targets = positionals.length
    ? positionals.map((p) => {
        const [label = p, root] = p.split('@');
        return { label, root: root && path.resolve(root) };
      })
    : [{ label: 'this checkout', root: undefined }];
  const outcomes: Outcome[] = [];
  for (const { label, root } of targets) {
    reporter.log(`${label}: measuring fast failure for ${options.seconds} s`);
    outcomes.push(await measure(label, root, options));
  }
  const cells = [
    [
      'server',
      'fast-failed calls',
      'server p50 ms',
      'p99',
      'max',
      'client p50 ms',
      'p99',
      'run-queue wait ms/s',
      'GCs (> 10 ms)',
    ],
    ...outcomes.map((o) => [
      o.label,
      String(o.calls),
      String(round(o.server.p50, 2)),
      String(round(o.server.p99, 2)),
      String(round(o.server.max, 2)),
      String(round(o.client.p50, 2)),
      String(round(o.client.p99, 2)),
      o.runQueueMsPerS === undefined ? 'n/a' : String(round(o.runQueueMsPerS, 1)),
      `${o.gcs} (${o.gcsOver10Ms})`,
    ]),
  ];
  process.stdout.write(`${renderText(cells)}\n(${options.callers} callers, ${options.paceMs} ms between calls each)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`fast-fail: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
