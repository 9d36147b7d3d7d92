/**
 * The plumbing shared by the test run's Milvus servers (./milvus-lite.ts, ./milvus-standalone.ts):
 * each is installed and run by a script of the project's (scripts/milvus-*.sh) in its own
 * process group, with a fresh data directory under `.milvus/`. stop() kills the group and
 * removes the directory; if this process dies without calling it, the script's watchdog (told
 * this process's pid) ends the server, and the next run removes the directory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const DATA_ROOT = join(ROOT, '.milvus');
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** A server for the test run. */
export interface TestServer {
  /** host:port for a client. */
  address: string;
  /** Stops the server and deletes its data (a no-op for a server given by the environment). */
  stop(): Promise<void>;
}

/** How to run one kind of server with its script. */
export interface ScriptServerKind {
  /** For messages, e.g. 'Milvus Lite'. */
  name: string;
  /** The script under scripts/, e.g. 'milvus-lite.sh'; it takes `install` and `run ARGS…`. */
  script: string;
  /** The environment variable through which the script's watchdog learns this process's pid. */
  parentPidVariable: string;
  /** Data directories are `.milvus/<dirPrefix><pid>-<random>`. */
  dirPrefix: string;
}

/** Runs `<script> install` (idempotent; the first time takes a while). */
export function install(kind: ScriptServerKind): Promise<void> {
  return new Promise((done, fail) => {
    const script = join(ROOT, 'scripts', kind.script);
    execFile(script, ['install'], { cwd: ROOT, timeout: INSTALL_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return done();
      const detail = stderr.trim().split('\n').slice(-5).join('\n') || error.message;
      fail(new Error(`could not install ${kind.name} (scripts/${kind.script} install): ${detail}`));
    });
  });
}

/**
 * Installs the server, runs `<script> run ...runArgs(dataDir)` in a new process group and
 * waits for `ready`; on failure stops it and rejects with the last lines of its logs
 * (`logs(dataDir)` names files to quote beyond the script's own output).
 */
export async function startScriptServer(
  kind: ScriptServerKind,
  options: {
    address: string;
    runArgs: (dataDir: string) => string[];
    ready: (child: ChildProcess) => Promise<void>;
    logs?: (dataDir: string) => string[];
  },
): Promise<TestServer> {
  await install(kind);
  removeStaleDataDirs(kind.dirPrefix);
  mkdirSync(DATA_ROOT, { recursive: true });
  const dataDir = mkdtempSync(join(DATA_ROOT, `${kind.dirPrefix}${process.pid}-`));
  const logFile = join(dataDir, 'server.log');
  const log = openSync(logFile, 'w');
  const child = spawn(join(ROOT, 'scripts', kind.script), ['run', ...options.runArgs(dataDir)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, [kind.parentPidVariable]: String(process.pid) },
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
    await options.ready(child);
  } catch (error) {
    const logs = [logFile, ...(options.logs?.(dataDir) ?? [])];
    const tail = logs
      .map((file, i) => tailOf(file, i === 0 ? 10 : 5))
      .filter(Boolean)
      .join('\n');
    await stop();
    throw new Error(`${(error as Error).message}${tail ? `\n${tail}` : ''}`);
  }
  return { address: options.address, stop };
}

/** Polls `probe` every 200 ms until it answers true; rejects when the server exits or time runs out. */
export async function waitFor(
  name: string,
  child: ChildProcess,
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited during start-up (${child.exitCode ?? child.signalCode})`);
    }
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not ${what} within ${timeoutMs / 1000} s`);
}

/** Data directories of earlier runs whose process is gone (killed before it could clean up). */
function removeStaleDataDirs(prefix: string): void {
  let entries: string[];
  try {
    entries = readdirSync(DATA_ROOT);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = entry.startsWith(prefix) ? Number.parseInt(entry.slice(prefix.length), 10) : 0;
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

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
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
