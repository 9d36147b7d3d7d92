/**
 * Starts a Milvus 2.3 standalone server for the test run (see scripts/milvus-standalone.sh), or uses the one named
 * by RECALL_TEST_MILVUS_STANDALONE_ADDRESS. As with Milvus Lite (./milvus-lite.ts) the server runs in its own process
 * group with a fresh data directory under `.milvus/`; stop() kills the group and removes the directory, and a
 * watchdog in the script ends the server if this process dies without calling stop().
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'milvus-standalone.sh');
const DATA_ROOT = join(ROOT, '.milvus');
const DIR_PREFIX = 'standalone-test-';
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 120_000;
/** The script's ports from the base up: the proxy (the Milvus address) first, /healthz last. */
const PORT_COUNT = 12;

/** A running Milvus standalone server. */
export interface MilvusStandalone {
  /** host:port for MilvusClient. */
  address: string;
  /** Stops the server and deletes its data (a no-op for a server given by the environment). */
  stop(): Promise<void>;
}

/**
 * Starts (or finds) a Milvus standalone server; rejects with an explanation when it cannot. extraConfig holds Milvus
 * config overrides such as 'proxy.timeTickInterval=20' (not applied to a server given by the environment).
 */
export async function startMilvusStandalone(extraConfig: string[] = []): Promise<MilvusStandalone> {
  const given = process.env.RECALL_TEST_MILVUS_STANDALONE_ADDRESS;
  if (given) return { address: given, stop: async () => {} };

  await install();
  removeStaleDataDirs();
  mkdirSync(DATA_ROOT, { recursive: true });
  const dataDir = mkdtempSync(join(DATA_ROOT, `${DIR_PREFIX}${process.pid}-`));
  const base = await freePortRange(PORT_COUNT);
  const logFile = join(dataDir, 'server.log');
  const log = openSync(logFile, 'w');
  const child = spawn(SCRIPT, ['run', String(base), join(dataDir, 'data'), ...extraConfig], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, MILVUS_STANDALONE_PARENT_PID: String(process.pid) },
  });
  closeSync(log);
  child.unref();

  const cleanUp = () => {
    killGroup(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.removeListener('exit', cleanUp);
      await terminate(child);
      rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    await waitUntilHealthy(base + PORT_COUNT - 1, child, READY_TIMEOUT_MS);
  } catch (error) {
    // The launcher's errors, then the server's own (a crash, or what it was waiting for), before stop() deletes them.
    const serverLog = (name: string) => tailOf(join(dataDir, 'data', 'logs', `milvus-${name}.log`), 5);
    const tail = [tailOf(logFile, 10), serverLog('stderr'), serverLog('stdout')].filter(Boolean).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}${tail ? `\n${tail}` : ''}`);
  }
  return { address: `127.0.0.1:${base}`, stop };
}

function install(): Promise<void> {
  return new Promise((done, fail) => {
    execFile(SCRIPT, ['install'], { cwd: ROOT, timeout: INSTALL_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return done();
      const detail = stderr.trim().split('\n').slice(-5).join('\n') || error.message;
      fail(new Error(`could not install Milvus standalone (scripts/milvus-standalone.sh install): ${detail}`));
    });
  });
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Data directories of earlier runs whose process is gone (killed before it could clean up). */
function removeStaleDataDirs(): void {
  let entries: string[];
  try {
    entries = readdirSync(DATA_ROOT);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = entry.startsWith(DIR_PREFIX) ? Number.parseInt(entry.slice(DIR_PREFIX.length), 10) : 0;
    if (pid && !isAlive(pid)) rmSync(join(DATA_ROOT, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A base port whose whole range is free, below Linux's ephemeral ports (32768+) that outgoing connections take. */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 1_000) * count;
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`found no ${count} consecutive free ports for Milvus standalone`);
}

/** Whether the port can be listened on (the server listens on all interfaces). */
function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '0.0.0.0', () => server.close(() => done(true)));
  });
}

async function waitUntilHealthy(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Milvus standalone exited during start-up (${child.exitCode ?? child.signalCode})`);
    }
    if (await healthy(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Milvus standalone was not healthy on port ${port} within ${timeoutMs / 1000} s`);
}

/** GET /healthz answers 200 once every component is up (500 before; a TCP probe would succeed too early). */
function healthy(port: number): Promise<boolean> {
  return new Promise((done) => {
    const request = get({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      done(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => done(false));
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM to the whole group, SIGKILL after 5 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return killGroup(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child), 5_000);
  await exited;
  clearTimeout(timer);
  killGroup(child);
}
