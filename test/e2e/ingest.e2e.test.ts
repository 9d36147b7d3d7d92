import { type ChildProcess, type SpawnSyncReturns, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectClients } from '../../harness/grpc-clients';
import { SearchRequest } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'ingest.js');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'ingest-sample.jsonl');

type Result = Pick<SpawnSyncReturns<string>, 'status' | 'stdout' | 'stderr'>;

/**
 * Runs the built ingest CLI (`npm run build` first) with only the given environment, from the
 * system's temporary folder (where its default checkpoint folder then goes); `started` sees the child.
 */
function ingest(
  args: string[],
  env: Record<string, string> = {},
  started?: (child: ChildProcess) => void,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function documentCount(address: string, collection: string): Promise<number | undefined> {
  const clients = connectClients(address);
  try {
    const { collections } = await clients.search.listCollections({});
    return collections.find((c) => c.name === collection)?.documentCount;
  } finally {
    clients.search.close();
    clients.memory.close();
  }
}

/** `npm run ingest` against the built server on the embedded default (PGlite + embedded vectors). */
describe('ingest CLI end to end (embedded default)', () => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-ingest-'));
    server = await startServerProcess({ DATA_DIR: path.join(dataDir, 'served') });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads the good lines, names every bad line with its reason, and exits 1', async () => {
    const result = await ingest(['--collection', 'docs', FIXTURE, '--target', server.grpcAddress, '--batch-size', '3']);

    expect(result.status).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^line 3: invalid: malformed JSON/),
        'line 4: invalid: text: is required',
        'line 6: invalid: id: must be 1-256 bytes as UTF-8, got 300 bytes',
        'line 7: invalid: vector[1]: must be a finite number, got "0.2"',
        'line 9: rejected: vector: must have 384 dimensions, not 3 (server)',
        'line 11: invalid: metadata: must be a JSON object',
      ]),
    );
    expect(result.stdout).toMatch(/12 lines read \(1 blank\), 5 loaded; 5 invalid, 1 rejected by the server, 0 failed/);
    expect(await documentCount(server.grpcAddress, 'docs')).toBe(5);
  });

  it('makes the loaded documents searchable, metadata included', async () => {
    const clients = connectClients(server.grpcAddress);
    try {
      const response = await clients.search.search(
        SearchRequest.fromPartial({
          query: 'Orders ship from the Oslo warehouse within two business days.',
          collections: ['docs'],
          limit: 3,
        }),
      );
      expect(response.hits[0]).toMatchObject({
        id: 'ship-1',
        collection: 'docs',
        metadata: { lang: 'en', topic: 'shipping' },
      });
    } finally {
      clients.search.close();
      clients.memory.close();
    }
  });

  it('exits 0 when every line is loaded, across several concurrent batches', async () => {
    const file = path.join(dataDir, 'clean.jsonl');
    const docs = Array.from({ length: 250 }, (_, i) => JSON.stringify({ id: `c${i}`, text: `clean document ${i}` }));
    writeFileSync(file, `${docs.join('\n')}\n`);

    const result = await ingest(['-c', 'clean', file, '--target', server.grpcAddress, '--concurrency', '3']);

    expect(result.stdout).toMatch(/250 lines read \(0 blank\), 250 loaded; 0 invalid.*; 3 batches, 0 retries/);
    expect(result.status).toBe(0);
    expect(await documentCount(server.grpcAddress, 'clean')).toBe(250);
  });

  it('killed midway, resumes with --resume where it stopped and loads only the rest', async () => {
    const total = 4_000;
    const file = path.join(dataDir, 'resume.jsonl');
    const docs = Array.from({ length: total }, (_, i) =>
      JSON.stringify({ id: `r${i}`, text: `resumable document ${i}` }),
    );
    writeFileSync(file, `${docs.join('\n')}\n`);
    const checkpoints = path.join(dataDir, 'checkpoints');
    const args = ['-c', 'resume', file, '--target', server.grpcAddress, '--batch-size', '5', '--concurrency', '1'];
    const checkpointLine = () => {
      if (!existsSync(checkpoints)) return 0;
      const [name] = readdirSync(checkpoints).filter((n) => n.endsWith('.json'));
      return name ? (JSON.parse(readFileSync(path.join(checkpoints, name), 'utf8')) as { line: number }).line : 0;
    };

    const killed = await ingest([...args, '--checkpoint-dir', checkpoints], {}, (child) => {
      const poll = setInterval(() => {
        if (checkpointLine() >= 100) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 10);
      child.once('close', () => clearInterval(poll));
    });
    expect(killed.status).toBeNull();
    const stoppedAt = checkpointLine();
    expect(stoppedAt).toBeGreaterThanOrEqual(100);
    expect(stoppedAt).toBeLessThan(total);
    const loadedBefore = (await documentCount(server.grpcAddress, 'resume')) ?? 0;
    expect(loadedBefore).toBeGreaterThanOrEqual(stoppedAt);
    expect(loadedBefore).toBeLessThan(total);

    const resumed = await ingest([...args, '--checkpoint-dir', checkpoints, '--resume']);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toContain(`skipping lines 1-${stoppedAt}`);
    expect(resumed.stdout).toContain(`${total - stoppedAt} lines read (0 blank), ${total - stoppedAt} loaded`);
    expect(await documentCount(server.grpcAddress, 'resume')).toBe(total);

    // Finished: resuming again sends nothing; editing a skipped line is refused rather than skipped.
    const again = await ingest([...args, '--checkpoint-dir', checkpoints, '--resume']);
    expect(again.stdout).toContain('0 lines read (0 blank), 0 loaded');
    writeFileSync(file, `${docs.slice(1).join('\n')}\n`);
    const edited = await ingest([...args, '--checkpoint-dir', checkpoints, '--resume']);
    expect(edited.status).toBe(2);
    expect(edited.stderr).toContain('changed within its first');
  });

  it('exits 2 with the usage on a command-line mistake, before touching the service', async () => {
    const result = await ingest(['--collection', 'docs']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('a FILE.jsonl is required');
    expect(result.stderr).toContain('usage: npm run ingest');
  });

  it('refuses --direct while a server holds DATA_DIR with exit 3, not 1 (regression: "some line not loaded")', async () => {
    const result = await ingest(['--collection', 'docs', FIXTURE, '--direct'], {
      DATA_DIR: path.join(dataDir, 'served'),
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/ingest: could not start the service \(--direct\): .*in use/);
    expect(result.stdout).toBe('');
  });

  it('with --direct loads into the backends of DATA_DIR without a running service', async () => {
    const direct = path.join(dataDir, 'direct');
    const result = await ingest(['--collection', 'docs', FIXTURE, '--direct'], { DATA_DIR: direct });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('5 loaded');

    const later = await startServerProcess({ DATA_DIR: direct });
    try {
      expect(await documentCount(later.grpcAddress, 'docs')).toBe(5);
    } finally {
      await later.stop();
    }
  });
});
