import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** A recall server started from the build (`npm run build`) as its own process. */
export interface ServerProcess {
  grpcAddress: string;
  metricsUrl: string;
  child: ChildProcess;
  /** Every JSON log line printed so far. */
  logs: Array<Record<string, unknown>>;
  /** What it printed on stderr (and any stdout line that is not JSON) so far. */
  stderr(): string;
  /** Sends SIGTERM and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * How to start it instead of `node dist/src/main.js`: `command` run in `cwd` as its own process
 * group (e.g. `npm start` in a copy of the project), which `stop()` signals as a whole and
 * waits out, as a terminal's Ctrl-C does (npm does not pass signals on to its script).
 */
export interface StartCommand {
  command: [string, ...string[]];
  cwd: string;
}

/**
 * Starts `node dist/src/main.js` (or `start.command`) on ports 0 with `env` and waits for its
 * "listening" line.
 */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 60_000,
  start?: StartCommand,
): Promise<ServerProcess> {
  const [file, ...args] = start?.command ?? [process.execPath, MAIN];
  const child = spawn(file, args, {
    cwd: start?.cwd,
    detached: start !== undefined,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = once(child, 'exit');
  const listening = new Promise<{ grpcPort: number; metricsPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(entry as unknown as { grpcPort: number; metricsPort: number });
        }
      } catch {
        stderr += `${line}\n`;
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
  });
  let ports: { grpcPort: number; metricsPort: number };
  try {
    ports = await listening;
  } catch (error) {
    // A server that never said "listening" must not outlive the test: jest would never exit.
    if (start) signalGroup(-(child.pid ?? 0), 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    throw error;
  }
  const { grpcPort, metricsPort } = ports;
  return {
    grpcAddress: `127.0.0.1:${grpcPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    child,
    logs,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (!start) {
        if (child.exitCode !== null) return child.exitCode;
        child.kill(signal);
        const [code] = (await exited) as [number | null];
        return code;
      }
      const group = -(child.pid ?? 0);
      signalGroup(group, signal);
      if (child.exitCode === null && child.signalCode === null) await exited;
      // The group's leader (npm) may exit before the server has drained: wait for all of it.
      while (signalGroup(group, 0)) await new Promise((resolve) => setTimeout(resolve, 50));
      return child.exitCode;
    },
  };
}

/** Sends `signal` to a process group; false when the group is gone. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal);
    return true;
  } catch {
    return false;
  }
}
