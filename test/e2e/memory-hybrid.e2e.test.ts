import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmbeddingServer, startEmbeddingServer } from '../../harness/embedding-server';
import { connectClients } from '../../harness/grpc-clients';
import { RetrievalMode } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const FACTS = [
  'My old passport number was K4417392',
  'My passport number is K4471932',
  'I am flying to Tokyo next month',
  'My favourite food is spicy ramen',
  'I work as a veterinarian in Porto',
  'My sister Ines lives in Montreal',
  'I go running every morning before work',
  'I am allergic to penicillin',
  'I play chess online most evenings',
];

/**
 * Hybrid RecallFacts through the built server on the embedded default (PGlite + the embedded
 * store) with the real all-MiniLM-L6-v2 model: BM25 finds the exact rare token the model
 * misses, the model finds the paraphrase BM25 misses, and hybrid finds both.
 */
describe('hybrid RecallFacts with a real embedding model', () => {
  let model: EmbeddingServer;
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dataDir: string;

  beforeAll(async () => {
    model = await startEmbeddingServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-memory-hybrid-'));
    server = await startServerProcess({
      DATA_DIR: dataDir,
      EMBEDDING_URL: model.url,
      EMBEDDING_MODEL: model.model,
      EMBEDDING_DIMENSION: String(model.dimension),
    });
    clients = connectClients(server.grpcAddress);
    const facts = FACTS.map((content) => ({ content, source: 'e2e', confidence: 1 }));
    await clients.memory.addFacts({ userId: 'maya', facts });
    // Another user with the same rare token: never found, never counted in maya's scores.
    await clients.memory.addFacts({
      userId: 'noah',
      facts: [{ content: 'K4417392 is my locker code', source: '', confidence: 1 }],
    });
  }, 15 * 60_000);

  afterAll(async () => {
    clients?.memory.close();
    clients?.search.close();
    await server?.stop();
    await model?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const recall = async (query: string, retrieval: RetrievalMode, limit = 1) =>
    (await clients.memory.recallFacts({ userId: 'maya', query, limit, retrieval })).facts;

  it('finds an exact rare token that dense retrieval misses', async () => {
    // The model sees two passport numbers that differ by two transposed digits as one.
    const query = 'K4417392';
    const [dense] = await recall(query, RetrievalMode.RETRIEVAL_MODE_DENSE);
    expect(dense?.content).toBe(FACTS[1]);
    const [lexical] = await recall(query, RetrievalMode.RETRIEVAL_MODE_LEXICAL);
    expect(lexical).toMatchObject({ content: FACTS[0], vectorScore: 0 });
    expect(lexical!.lexicalScore).toBeGreaterThan(0);
    expect(lexical!.score).toBe(lexical!.lexicalScore);
    const [hybrid] = await recall(query, RetrievalMode.RETRIEVAL_MODE_HYBRID);
    expect(hybrid?.content).toBe(FACTS[0]);
    expect(hybrid!.vectorScore).not.toBe(0);
    expect(hybrid!.lexicalScore).toBeCloseTo(lexical!.lexicalScore, 6);
  });

  it('finds a paraphrase that lexical retrieval misses, and UNSPECIFIED is hybrid', async () => {
    const query = 'Which medicines must be avoided?';
    expect(await recall(query, RetrievalMode.RETRIEVAL_MODE_LEXICAL, 5)).toEqual([]);
    const [dense] = await recall(query, RetrievalMode.RETRIEVAL_MODE_DENSE);
    expect(dense?.content).toBe(FACTS[7]);
    const [hybrid] = await recall(query, RetrievalMode.RETRIEVAL_MODE_UNSPECIFIED);
    expect(hybrid).toMatchObject({ content: FACTS[7], lexicalScore: 0 });
    expect(hybrid!.vectorScore).toBeCloseTo(dense!.vectorScore, 6);
  });

  it("never returns another user's fact, whichever retriever runs", async () => {
    for (const retrieval of [
      RetrievalMode.RETRIEVAL_MODE_DENSE,
      RetrievalMode.RETRIEVAL_MODE_LEXICAL,
      RetrievalMode.RETRIEVAL_MODE_HYBRID,
    ]) {
      const facts = await recall('K4417392 locker code', retrieval, 10);
      expect(facts.every((f) => f.userId === 'maya')).toBe(true);
    }
  });
});
