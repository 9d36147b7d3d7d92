/**
 * A Milvus Lite server that can be killed and started again on the same port and data
 * directory (scripts/milvus-lite.sh run PORT DATA_DIR), for fault tests and the benchmark.
 * Unlike ./milvus-lite.ts it is never shared and never taken from the environment: whoever
 * starts it owns it. Each run is its own process group; the script's watchdog ends the server
 * if this process dies without calling destroy().
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { install, waitFor } from './script-server';

const ROOT = resolve(__dirname, '..');
const KIND = {
  name: 'Milvus Lite',
  script: 'milvus-lite.sh',
  parentPidVariable: 'MILVUS_LITE_PARENT_PID',
  dirPrefix: 'fault-',
};
const READY_TIMEOUT_MS = 90_000;

/** A Milvus Lite server of our own. */
export interface RestartableMilvusLite {
  /** host:port for a client; the same across restarts. */
  address: string;
  /** SIGKILL to the server's process group, as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Kills it and deletes its data. Safe to call twice. */
  destroy(): Promise<void>;
}

/** Installs (if needed) and starts Milvus Lite on a free port with a fresh data directory. */
export async function startRestartableMilvusLite(): Promise<RestartableMilvusLite> {
  await install(KIND);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'recall-milvus-lite-'));
  let child: ChildProcess | undefined;
  let runs = 0;

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    killGroup(running);
    await exited;
  };
  const start = async () => {
    if (child) throw new Error('Milvus Lite is already running');
    const logFile = join(dir, `server-${++runs}.log`);
    const log = openSync(logFile, 'w');
    const started = spawn(join(ROOT, 'scripts', KIND.script), ['run', String(port), join(dir, 'data')], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, [KIND.parentPidVariable]: String(process.pid) },
    });
    closeSync(log);
    started.unref();
    child = started;
    try {
      await waitFor(KIND.name, started, () => accepts(port), `accept connections on port ${port}`, READY_TIMEOUT_MS);
    } catch (error) {
      await kill();
      throw new Error(`${(error as Error).message}\n${tail(logFile)}`);
    }
  };
  const killOnExit = () => {
    if (child) killGroup(child);
  };
  process.once('exit', killOnExit);
  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    destroyed ??= (async () => {
      process.removeListener('exit', killOnExit);
      await kill();
      rmSync(dir, { recursive: true, force: true });
    })();
    return destroyed;
  };

  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return { address: `127.0.0.1:${port}`, kill, start, destroy };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
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

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}
