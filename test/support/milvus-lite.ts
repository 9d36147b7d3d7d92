/**
 * Starts a Milvus Lite server for the test run (see scripts/milvus-lite.sh), or uses the one
 * named by RECALL_TEST_MILVUS_ADDRESS. The server runs in its own process group with a fresh
 * data directory under `.milvus/`; stop() kills the group and removes the directory, and a
 * watchdog in the script ends the server if this process dies without calling stop().
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'milvus-lite.sh');
const DATA_ROOT = join(ROOT, '.milvus');
const INSTALL_TIMEOUT_MS = 15 * 60_000;
const READY_TIMEOUT_MS = 60_000;

/** A running Milvus Lite server. */
export interface MilvusLite {
  /** host:port for MilvusClient. */
  address: string;
  /** Stops the server and deletes its data (a no-op for a server given by the environment). */
  stop(): Promise<void>;
}

/** Starts (or finds) a Milvus Lite server; rejects with an explanation when it cannot. */
export async function startMilvusLite(): Promise<MilvusLite> {
  const given = process.env.RECALL_TEST_MILVUS_ADDRESS;
  if (given) return { address: given, stop: async () => {} };

  await install();
  removeStaleDataDirs();
  mkdirSync(DATA_ROOT, { recursive: true });
  const dataDir = mkdtempSync(join(DATA_ROOT, `test-${process.pid}-`));
  const port = await freePort();
  const logFile = join(dataDir, 'server.log');
  const log = openSync(logFile, 'w');
  const child = spawn(SCRIPT, ['run', String(port), join(dataDir, 'data')], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, MILVUS_LITE_PARENT_PID: String(process.pid) },
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
    await waitUntilAccepting(port, child, READY_TIMEOUT_MS);
  } catch (error) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}${tail ? `\n${tail}` : ''}`);
  }
  return { address: `127.0.0.1:${port}`, stop };
}

function install(): Promise<void> {
  return new Promise((done, fail) => {
    execFile(SCRIPT, ['install'], { cwd: ROOT, timeout: INSTALL_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return done();
      const detail = stderr.trim().split('\n').slice(-5).join('\n') || error.message;
      fail(new Error(`could not install Milvus Lite (scripts/milvus-lite.sh install): ${detail}`));
    });
  });
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
    const pid = Number(/^test-(\d+)-/.exec(entry)?.[1]);
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

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitUntilAccepting(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Milvus Lite exited during start-up (${child.exitCode ?? child.signalCode})`);
    }
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Milvus Lite did not accept connections on port ${port} within ${timeoutMs / 1000} s`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
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
