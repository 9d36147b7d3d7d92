/**
 * The built server keeps vector spaces apart: a collection filled by the built-in embedder is
 * refused, naming both spaces, to a server restarted with another 384-d model; `npm run
 * reindex -- --re-embed` moves it, and the new server finds its documents (embedded default).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { status } from '@grpc/grpc-js';
import { connectClients } from '../../harness/grpc-clients';
import { type ModelServer, startModelServer } from '../../harness/model-server';
import { SearchRequest } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const REINDEX = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'reindex.js');
const TEXTS = [
  'Orders placed before noon ship the same day.',
  'Returns are free within thirty days.',
  'Invoices are issued on the first business day of every month.',
];

describe('embedding spaces on the built server', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;
  // Another model of the same dimension (384, like the built-in embedder): the mix the
  // dimension check alone never caught.
  let model: ModelServer;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-spaces-e2e-'));
    model = await startModelServer();
  });
  afterAll(async () => {
    await server?.stop();
    await model?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const otherModel = () => ({ EMBEDDING_URL: model.url, EMBEDDING_MODEL: 'other-model', EMBEDDING_DIMENSION: '384' });
  const start = async (env: Record<string, string> = {}) => {
    server = await startServerProcess({ DATA_DIR: dataDir, ...env });
    return connectClients(server.grpcAddress);
  };
  const search = (clients: ReturnType<typeof connectClients>) =>
    clients.search.search(
      SearchRequest.fromPartial({ query: 'when do orders ship', collections: ['handbook'], limit: 3 }),
    );

  it('refuses another embedder naming both spaces, and the re-embed moves the collection', async () => {
    let clients = await start();
    await clients.search.upsertDocuments({
      collection: 'handbook',
      documents: TEXTS.map((text, i) => ({ id: `h${i}`, text, metadata: {}, vector: [] })),
    });
    const listed = await clients.search.listCollections({});
    expect(listed.collections.find((c) => c.name === 'handbook')?.embeddingSpace).toBe('hashing-ngram-v1@384');
    clients.search.close();
    await server!.stop();

    clients = await start(otherModel());
    const refused = await search(clients).catch((error: { code: number; details: string }) => error);
    expect(refused).toMatchObject({ code: status.FAILED_PRECONDITION });
    expect((refused as { details: string }).details).toMatch(/"hashing-ngram-v1@384".*"openai:other-model@384"/);
    clients.search.close();
    await server!.stop();
    server = undefined;

    // Asynchronously: the model stand-in answers from this process's event loop.
    const reindex = await promisify(execFile)(process.execPath, [REINDEX, '--re-embed', '--collection', 'handbook'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...otherModel() },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(reindex.stdout).toContain('handbook: 3 records embedded again');

    clients = await start(otherModel());
    const found = await search(clients);
    expect(found.hits[0]?.id).toBe('h0');
    const moved = await clients.search.listCollections({});
    expect(moved.collections.find((c) => c.name === 'handbook')).toMatchObject({
      dimension: 384,
      documentCount: 3,
      embeddingSpace: 'openai:other-model@384',
    });
    clients.search.close();
  });
});
