import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The project root (bench/ lives directly under it). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const START_TIMEOUT_MS = 300_000;

/** A recall server started by the benchmark from the build. */
export interface RecallProcess {
  label: string;
  /** The server's process id. */
  pid: number;
  grpcAddress: string;
  metricsUrl: string;
  /** What the server said it runs on (its `listening` log line). */
  backends: Record<string, unknown>;
  /** Warnings and errors it logged (at most 50 kept), to show when a run looks wrong. */
  problems: string[];
  /** SIGTERM, then SIGKILL after 15 s; resolves to the exit code. Safe to call twice. */
  stop(): Promise<number | null>;
  /** Resolves once the process has exited, whoever ended it (its problems are noted by then). */
  exited: Promise<unknown>;
}

/** How a problem line starts when recall exited by itself after it began listening. */
export const EXITED_IN_USE = 'recall exited while in use';

/** `error`, with the reason when recall exited by itself (its calls then fail with ECONNREFUSED). */
export function withExitReason(error: unknown, recall: RecallProcess | undefined): unknown {
  const exited = recall?.problems.find((line) => line.startsWith(EXITED_IN_USE));
  return exited ? new Error(`${error instanceof Error ? error.message : String(error)} (${exited})`) : error;
}

/**
 * Starts `node dist/src/main.js` of the checkout at `root` (this one by default) with only
 * `env` (plus PATH and HOME: no variable of the benchmark's own environment leaks into the
 * server) on ports 0, and waits for `listening`. `onLog` sees every JSON log line.
 */
export async function startRecall(
  label: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
  root = PROJECT_ROOT,
  onLog?: (entry: Record<string, unknown>) => void,
): Promise<RecallProcess> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const problems: string[] = [];
  const note = (line: string) => {
    if (problems.length < 50) problems.push(line.slice(0, 500));
  };
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = once(child, 'exit');
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label}: recall did not start within 300 s: ${stderr}`)),
      START_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return note(line);
      }
      onLog?.(entry);
      if (entry.msg === 'listening') {
        clearTimeout(timer);
        resolve(entry);
      } else if (typeof entry.level === 'number' && entry.level >= 40) {
        note(`${entry.msg as string}${entry.err ? `: ${JSON.stringify(entry.err)}` : ''}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label}: recall exited with ${code} before listening: ${stderr || problems.join('\n')}`));
    });
  });
  let entry: Record<string, unknown>;
  try {
    entry = await listening;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let stopping: Promise<number | null> | undefined;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    // Said among the problems, so that a run whose calls then fail says why.
    note(`${EXITED_IN_USE}: code ${code}, signal ${signal}${stderr ? `; stderr: ${stderr.slice(-1000)}` : ''}`);
  });
  return {
    label,
    pid: child.pid ?? 0,
    grpcAddress: `127.0.0.1:${entry.grpcPort as number}`,
    metricsUrl: `http://127.0.0.1:${entry.metricsPort as number}`,
    backends: (entry.backends as Record<string, unknown>) ?? {},
    problems,
    stop() {
      stopping ??= stopChild(child, exited);
      return stopping;
    },
    exited,
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown[]>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}
