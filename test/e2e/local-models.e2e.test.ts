import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectClients } from '../../harness/grpc-clients';
import { type LocalModels, startLocalModels } from '../../harness/local-models';
import { RerankMode } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const QUERY = 'How many people live in Berlin?';
const DOCUMENTS = [
  { id: 'capital', text: 'Berlin is the capital of Germany, and many people live there.' },
  { id: 'nyc', text: 'New York City is famous for the Metropolitan Museum of Art.' },
  {
    id: 'population',
    text: 'Berlin has a population of 3,520,031 registered inhabitants in an area of 891.82 square kilometers.',
  },
  { id: 'paris', text: 'Paris is known for the Eiffel Tower and its cafés.' },
];

async function embed(models: LocalModels, input: string[]): Promise<number[][]> {
  const response = await fetch(`${models.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input }),
  });
  const body = (await response.json()) as { data: { index: number; embedding: number[] }[] };
  return body.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

/**
 * The built server with real models on the local model server: bge-small-en-v1.5 embeds
 * (queries with its instruction prefix) and the ms-marco-MiniLM-L-12-v2 cross-encoder reranks.
 */
describe('recall with bge-small-en-v1.5 and the L-12 cross-encoder', () => {
  let models: LocalModels;
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dataDir: string;

  beforeAll(async () => {
    models = await startLocalModels();
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-models-'));
    server = await startServerProcess({ DATA_DIR: dataDir, ...models.env, RERANK_TIMEOUT_MS: '60000' });
    clients = connectClients(server.grpcAddress);
  }, 15 * 60_000);

  afterAll(async () => {
    clients?.memory.close();
    clients?.search.close();
    await server?.stop();
    await models?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('reranks a Search with the cross-encoder and puts the answering passage first', async () => {
    await clients.search.upsertDocuments({
      collection: 'cities',
      documents: DOCUMENTS.map((d) => ({ ...d, metadata: undefined, vector: [] })),
    });
    const result = await clients.search.search(
      {
        query: QUERY,
        vector: [],
        collections: ['cities'],
        limit: 4,
        filters: [],
        rerank: RerankMode.RERANK_MODE_ALWAYS,
        userId: '',
        skipGoldenAnswer: true,
        goldenAnswerOnly: false,
        retrieval: 0,
        fusion: 0,
        rrfK: 0,
      },
      { timeoutMs: 120_000 },
    );
    expect(result.reranked).toBe(true);
    expect(result.hits[0]!.id).toBe('population');
    expect(result.hits.at(-1)!.id).not.toBe('population');

    // The query was embedded with bge's instruction prefix, the documents without one.
    const [prefixed, bare, document] = await embed(models, [
      models.embedding.queryPrefix + QUERY,
      QUERY,
      DOCUMENTS[2]!.text,
    ]);
    const hit = result.hits.find((h) => h.id === 'population')!;
    expect(hit.vectorScore).toBeCloseTo(dot(prefixed!, document!), 3);
    expect(Math.abs(dot(prefixed!, document!) - dot(bare!, document!))).toBeGreaterThan(0.005);
  });
});
