/**
 * Milvus servers that can be killed and started again on the same ports and data directory
 * (scripts/milvus-lite.sh / milvus-standalone.sh `run`), for fault tests and the benchmark.
 * Unlike ./milvus-lite.ts they are never shared and never taken from the environment: whoever
 * starts one owns it. Each run is its own process group; the script's watchdog ends the server
 * if this process dies without calling destroy().
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accepts, freePort } from './free-port';
import { freePortRange, healthy } from './milvus-standalone';
import { type ScriptServerKind, install, waitFor } from './script-server';

const ROOT = resolve(__dirname, '..');
const LITE: ScriptServerKind = {
  name: 'Milvus Lite',
  script: 'milvus-lite.sh',
  parentPidVariable: 'MILVUS_LITE_PARENT_PID',
  dirPrefix: 'fault-',
};
const STANDALONE: ScriptServerKind = {
  name: 'Milvus standalone',
  script: 'milvus-standalone.sh',
  parentPidVariable: 'MILVUS_STANDALONE_PARENT_PID',
  dirPrefix: 'fault-standalone-',
};
/** The standalone script's ports from the base up: the proxy (the Milvus address) first, /healthz last. */
const STANDALONE_PORTS = 12;

/** A Milvus server of our own. */
export interface RestartableMilvus {
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
export async function startRestartableMilvusLite(): Promise<RestartableMilvus> {
  const port = await freePort();
  return startRestartable(LITE, {
    port,
    runArgs: (dataDir) => [String(port), dataDir],
    ready: () => accepts(port),
    readyTimeoutMs: 90_000,
  });
}

/** Installs (if needed) and starts a Milvus 2.3 standalone server on free ports with a fresh data directory. */
export async function startRestartableMilvusStandalone(): Promise<RestartableMilvus> {
  const base = await freePortRange(STANDALONE_PORTS);
  return startRestartable(STANDALONE, {
    port: base,
    runArgs: (dataDir) => [String(base), dataDir],
    ready: () => healthy(base + STANDALONE_PORTS - 1),
    readyTimeoutMs: 180_000,
  });
}

async function startRestartable(
  kind: ScriptServerKind,
  options: {
    port: number;
    runArgs: (dataDir: string) => string[];
    ready: () => Promise<boolean>;
    readyTimeoutMs: number;
  },
): Promise<RestartableMilvus> {
  await install(kind);
  const { port } = options;
  const dir = mkdtempSync(join(tmpdir(), 'recall-milvus-'));
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
    const started = spawn(join(ROOT, 'scripts', kind.script), ['run', ...options.runArgs(join(dir, 'data'))], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, [kind.parentPidVariable]: String(process.pid) },
    });
    closeSync(log);
    started.unref();
    child = started;
    try {
      await waitFor(kind.name, started, options.ready, `get ready on port ${port}`, options.readyTimeoutMs);
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

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}
