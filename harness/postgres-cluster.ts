/**
 * A PostgreSQL cluster owned by one test file or benchmark run: `initdb` from the machine's
 * PostgreSQL binaries into a temp directory, started with `pg_ctl` on a free port (trust auth,
 * 127.0.0.1 only), so it can be crashed, stopped and restarted without touching anyone else's
 * server. initdb refuses to run as root: as root, every command runs as the `postgres` user
 * (runuser) and the directory is handed to that user.
 */
import { execFile, execSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

const BIN_ROOT = '/usr/lib/postgresql';
const COMMAND_TIMEOUT_MS = 60_000;

/** A running cluster of our own. */
export interface PostgresCluster {
  /** Its port on 127.0.0.1. */
  port: number;
  /** A superuser URL to the `postgres` database. */
  adminUrl: string;
  /** A URL to `database` on this cluster. */
  urlFor(database: string): string;
  /** Kills the server without a checkpoint (`pg_ctl stop -m immediate`), as a crash would. */
  crash(): Promise<void>;
  /** Starts the stopped server again on the same port and data (crash recovery runs). */
  start(): Promise<void>;
  /** Stops the server and deletes its directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/** The newest PostgreSQL bin directory (RECALL_TEST_PG_BIN overrides); throws naming what was looked for. */
export function findPostgresBin(): string {
  const given = process.env.RECALL_TEST_PG_BIN;
  if (given) return given;
  const versions = existsSync(BIN_ROOT)
    ? readdirSync(BIN_ROOT)
        .filter((v) => existsSync(join(BIN_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(`no PostgreSQL server binaries (initdb) under ${BIN_ROOT}/*/bin; set RECALL_TEST_PG_BIN`);
  }
  return join(BIN_ROOT, versions[0] as string, 'bin');
}

/** initdb + start on a free port; rejects with the tool's own output when it cannot. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'recall-pg-'));
  if (asRoot) chownSync(dir, ...postgresIds());
  const data = join(dir, 'data');
  const port = await freePort();
  const run = (tool: string, args: string[]) => runAs(asRoot, join(bin, tool), args);
  const pgCtlStart = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      serverOptions(port, dir),
      'start',
    ]);

  let destroyed: Promise<void> | undefined;
  const destroy = () => {
    destroyed ??= (async () => {
      process.removeListener('exit', killOnExit);
      await run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    })();
    return destroyed;
  };
  // If this process dies first, the server must not outlive it.
  const killOnExit = () => {
    try {
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid) process.kill(pid, 'SIGQUIT');
    } catch {
      // Not running.
    }
  };
  process.once('exit', killOnExit);

  try {
    await run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await pgCtlStart();
  } catch (error) {
    await destroy();
    throw error;
  }
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    adminUrl: urlFor('postgres'),
    urlFor,
    crash: async () => {
      await run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    },
    start: async () => {
      await pgCtlStart();
    },
    destroy,
  };
}

/** TCP on 127.0.0.1 only, the socket in our own directory, durable commits (a crash must not lose them). */
function serverOptions(port: number, dir: string): string {
  return `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=on -c synchronous_commit=on -c max_connections=100`;
}

function postgresIds(): [number, number] {
  const uid = Number(execSyncText('id -u postgres'));
  const gid = Number(execSyncText('id -g postgres'));
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root but no `postgres` user');
  return [uid, gid];
}

function execSyncText(command: string): string {
  return execSync(command, { encoding: 'utf8' }).trim();
}

function runAs(asRoot: boolean, file: string, args: string[]): Promise<string> {
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return new Promise((resolve, reject) => {
    execFile(command, argv, { timeout: COMMAND_TIMEOUT_MS, cwd: tmpdir() }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-5).join('\n');
      reject(new Error(`${file.split('/').pop()} ${args.at(-1)} failed: ${tail || error.message}`));
    });
  });
}
