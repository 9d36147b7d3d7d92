import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmbeddingServer, startEmbeddingServer } from '../../harness/embedding-server';
import { connectClients } from '../../harness/grpc-clients';
import { RerankMode } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const DOCUMENTS = [
  { id: 'cat', text: 'The cat slept on the mat beside the warm fireplace all afternoon.' },
  { id: 'revenue', text: 'Quarterly revenue grew by twelve percent on strong software sales.' },
  { id: 'rocket', text: 'The rocket lifted off from the coast at dawn carrying two satellites.' },
];

/**
 * recall's HTTP embedder against a real model: EMBEDDING_URL points at the local
 * all-MiniLM-L6-v2 server, and a paraphrase that shares no word with its document finds it.
 */
describe('recall with the local MiniLM embedding server', () => {
  let model: EmbeddingServer;
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dataDir: string;

  beforeAll(async () => {
    model = await startEmbeddingServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-minilm-'));
    server = await startServerProcess({
      DATA_DIR: dataDir,
      EMBEDDING_URL: model.url,
      EMBEDDING_MODEL: model.model,
      EMBEDDING_DIMENSION: String(model.dimension),
    });
    clients = connectClients(server.grpcAddress);
  }, 15 * 60_000);

  afterAll(async () => {
    clients?.memory.close();
    clients?.search.close();
    await server?.stop();
    await model?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('finds a document by a paraphrase with no word in common', async () => {
    const upserted = await clients.search.upsertDocuments({
      collection: 'minilm',
      documents: DOCUMENTS.map((d) => ({ ...d, metadata: undefined, vector: [] })),
    });
    expect(upserted.upsertedCount).toBe(3);

    const result = await clients.search.search({
      query: 'a kitten napping on a rug near the hearth',
      vector: [],
      collections: ['minilm'],
      limit: 3,
      filters: [],
      rerank: RerankMode.RERANK_MODE_NEVER,
      userId: '',
      skipGoldenAnswer: true,
      goldenAnswerOnly: false,
      retrieval: 0,
      fusion: 0,
      rrfK: 0,
    });
    expect(result.hits.map((h) => h.id)).toEqual(['cat', expect.any(String), expect.any(String)]);
    // MiniLM puts a true paraphrase far above unrelated text; the built-in hashing embedder cannot.
    expect(result.hits[0]!.vectorScore).toBeGreaterThan(result.hits[1]!.vectorScore + 0.2);
  });
});
