import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import { EXIT } from '../../src/cli/exit-codes';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { reportFigures } from './support/figures';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/**
 * A second recall on a DATA_DIR another recall holds is refused: it exits 1 with one clear line
 * on stderr, so a supervisor sees the failure and why (it used to exit 0); a bad configuration
 * variable exits 2, naming it (docs/operations.md, Exit codes).
 */
describe('a refused start', () => {
  let cluster: PostgresCluster;
  let first: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-refused-'));
    first = await startServerProcess({ DATABASE_URL: cluster.urlFor('recall'), DATA_DIR: dataDir });
  }, 120_000);

  afterAll(async () => {
    await first?.stop();
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Runs a second recall with `env` until it exits: its exit code and stderr lines. */
  const runSecond = async (env: Record<string, string>) => {
    const second = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        GRPC_PORT: '0',
        METRICS_PORT: '0',
        DATABASE_URL: cluster.urlFor('recall'),
        DATA_DIR: dataDir,
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    second.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(second, 'exit')) as [number | null];
    return { code, stderr: stderr.trim(), lines: stderr.trim().split('\n') };
  };

  it('exits 1 (docs/operations.md, Exit codes) with one line on stderr when DATA_DIR is held by another recall', async () => {
    const { code, stderr, lines } = await runSecond({});
    reportFigures('refused-start', { exitCode: code, stderrLines: lines.length, stderr });

    expect(code).toBe(EXIT.failed);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^recall: start-up failed: .*in use/);
    // The first recall still serves.
    expect(first.child.exitCode).toBeNull();
  }, 60_000);

  it('exits 2 with one line naming the variable when a configuration variable is bad', async () => {
    const { code, lines } = await runSecond({ PG_POOL_MAX: 'twenty' });

    expect(code).toBe(EXIT.usage);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^recall: invalid configuration: .*PG_POOL_MAX/);
    expect(first.child.exitCode).toBeNull();
  }, 60_000);
});
