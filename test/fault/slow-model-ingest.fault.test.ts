import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import { type DelayProxy, startDelayProxy } from '../../harness/delay-proxy';
import { type EmbeddingServer, startEmbeddingServer } from '../../harness/embedding-server';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { reportFigures, round } from './support/figures';
import { waitUntil } from './support/load';

const SLOWDOWN = 5;
const DOCUMENTS = 400;
const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'ingest.js');

/** Abstract-length texts (~120 words), the same on every run: what the model's time depends on. */
function documents(count: number): Array<{ id: string; text: string }> {
  const words = (
    'boundary layer flow pressure gradient supersonic wing heat transfer shock wave laminar turbulent ' +
    'reynolds number skin friction nozzle jet cylinder plate viscous inviscid similarity solution ' +
    'experimental theoretical measured predicted surface temperature velocity profile'
  ).split(' ');
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return Array.from({ length: count }, (_, i) => ({
    id: `doc-${i}`,
    text: Array.from({ length: 120 }, () => words[Math.floor(next() * words.length)]).join(' '),
  }));
}

/** Runs the built ingest CLI and resolves to its exit code and output. */
function runIngestCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The real all-MiniLM-L6-v2 server behind a proxy that makes every answer take 5× the model's
 * own time, with recall's default embedder settings (10 s per attempt): `npm run ingest` of
 * abstract-length documents completes with no failed batch, and a caller that gives up closes
 * the model request instead of leaving the model to compute it.
 */
describe('ingestion through a model slowed 5×', () => {
  let model: EmbeddingServer;
  let proxy: DelayProxy;
  let server: ServerProcess;
  let dataDir: string;
  let clients: ReturnType<typeof connectClients>;

  beforeAll(async () => {
    model = await startEmbeddingServer();
    proxy = await startDelayProxy(Number(new URL(model.url).port));
    proxy.setSlowdown(SLOWDOWN);
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-slow-model-'));
    server = await startServerProcess(
      {
        DATA_DIR: path.join(dataDir, 'data'),
        EMBEDDING_URL: `http://127.0.0.1:${proxy.port}`,
        EMBEDDING_MODEL: model.model,
        EMBEDDING_DIMENSION: String(model.dimension),
      },
      5 * 60_000,
    );
    clients = connectClients(server.grpcAddress);
  }, 15 * 60_000);

  afterAll(async () => {
    clients?.search.close();
    clients?.memory.close();
    await server?.stop('SIGKILL');
    await proxy?.close();
    await model?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'loads every document with no failed batch',
    async () => {
      const file = path.join(dataDir, 'abstracts.jsonl');
      writeFileSync(
        file,
        `${documents(DOCUMENTS)
          .map((d) => JSON.stringify(d))
          .join('\n')}\n`,
      );
      const started = performance.now();
      const result = await runIngestCli([
        ...['-c', 'slow_model', file, '--target', server.grpcAddress, '-q'],
        ...['--checkpoint-dir', path.join(dataDir, 'checkpoints')],
      ]);
      const seconds = (performance.now() - started) / 1000;

      expect(result.stdout).toMatch(
        new RegExp(
          `${DOCUMENTS} lines read \\(0 blank\\), ${DOCUMENTS} loaded; 0 invalid, 0 rejected by the server, 0 failed`,
        ),
      );
      expect(result.code).toBe(0);
      const { collections } = await clients.search.listCollections({});
      expect(collections.find((c) => c.name === 'slow_model')?.documentCount).toBe(DOCUMENTS);
      reportFigures('slow-model-ingest', {
        slowdown: SLOWDOWN,
        documents: DOCUMENTS,
        seconds: round(seconds),
        docsPerSecond: round(DOCUMENTS / seconds),
        ingestRetries: Number(/(\d+) retries/.exec(result.stdout)?.[1] ?? -1),
        modelRequestsAbandoned: proxy.abandoned(),
      });
    },
    15 * 60_000,
  );

  it("closes the model request when the caller's deadline passes", async () => {
    const before = proxy.abandoned();
    // New texts: the ones loaded above are in recall's embedding cache and would not reach the model.
    const batch = documents(60).map((d) => ({
      id: `late-${d.id}`,
      text: `late ${d.text}`,
      metadata: undefined,
      vector: [],
    }));
    const call = clients.search.upsertDocuments(
      { collection: 'slow_model_late', documents: batch },
      { timeoutMs: 300 },
    );
    expect(await statusOf(call)).toBe(status.DEADLINE_EXCEEDED);
    await waitUntil('the model request to be closed', async () => proxy.abandoned() > before, 10_000);
  }, 60_000);
});
