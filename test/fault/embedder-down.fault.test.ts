import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { type DelayProxy, startDelayProxy } from '../../harness/delay-proxy';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { type ModelServer, startModelServer } from '../../harness/model-server';
import { createTestDatabase, findPostgres } from '../../harness/postgres';
import {
  RetrievalMode,
  Retriever,
  type SearchRequest,
  type SearchResponse,
  SkippedStage,
} from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { countBy, reportFigures } from './support/figures';
import { sleep, waitUntil } from './support/load';
import { httpGet } from './support/sidecar';

const QUESTION = 'How do I reset my password?';
const BUDGET_MS = 500;
const BOTH_SKIPPED = [SkippedStage.SKIPPED_STAGE_DENSE_RETRIEVAL, SkippedStage.SKIPPED_STAGE_SEMANTIC_GOLDEN_ANSWER];

/**
 * Issue 16, "degrade, don't fail", against the built server: its EMBEDDING_URL (a model
 * stand-in behind a delaying proxy) goes down, then slow, then flaps. LEXICAL searches never
 * notice; HYBRID ones answer OK with the lexical hits and say what they skipped; DENSE and
 * RecallFacts answer UNAVAILABLE — at once, without calling the model, while the embedder
 * breaker is open; /readyz stays 200. Figures are reported, never asserted.
 */
describe('the embedder down, slow and flapping', () => {
  let model: ModelServer;
  let proxy: DelayProxy;
  let server: ServerProcess;
  let dataDir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let clients: ReturnType<typeof connectClients>;
  let seq = 0;

  /** A search with a query never sent before (the embedding cache would answer a repeat). */
  const search = (overrides: Partial<SearchRequest> = {}): Promise<SearchResponse> =>
    clients.search.search(
      {
        query: `invoice payment terms ${++seq}`,
        vector: [],
        collections: ['docs'],
        limit: 5,
        filters: [],
        rerank: 0,
        userId: '',
        skipGoldenAnswer: false,
        goldenAnswerOnly: false,
        retrieval: RetrievalMode.RETRIEVAL_MODE_HYBRID,
        fusion: 0,
        rrfK: 0,
        ...overrides,
      },
      { timeoutMs: 20_000 },
    );
  const embedderState = async (): Promise<string | undefined> => {
    const { body } = await httpGet(`${server.metricsUrl}/metrics`);
    const line = body
      .split('\n')
      .find((l) => l.startsWith('recall_circuit_breaker_state{breaker="embedder"') && l.endsWith(' 1'));
    return line?.match(/state="(\w+)"/)?.[1];
  };

  beforeAll(async () => {
    model = await startModelServer();
    proxy = await startDelayProxy(Number(new URL(model.url).port));
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-embedder-'));
    // The machine's PostgreSQL (a scratch database) starts in a second, where PGlite's initdb can take a minute on a busy machine.
    const db = await createTestDatabase(await findPostgres());
    dropDatabase = db.drop;
    server = await startServerProcess({
      DATABASE_URL: db.url,
      PG_POOL_MIN: '1',
      DATA_DIR: dataDir,
      EMBEDDING_URL: `http://127.0.0.1:${proxy.port}`,
      EMBEDDING_TIMEOUT_MS: '2000',
      SEARCH_EMBEDDING_TIMEOUT_MS: String(BUDGET_MS),
      BREAKER_VOLUME_THRESHOLD: '3',
      BREAKER_RESET_MS: '1500',
    });
    clients = connectClients(server.grpcAddress);
    await clients.search.upsertDocuments({
      collection: 'docs',
      documents: [
        { id: 'd1', text: 'Invoices are due within 30 days of issue.', vector: [] },
        { id: 'd2', text: 'Payment terms can be extended on request.', vector: [] },
      ],
    });
    await clients.search.upsertGoldenAnswer({ id: '', question: QUESTION, answer: 'Use the reset link.', sources: [] });
    await clients.memory.addFacts({
      userId: 'ada',
      facts: [{ content: 'Ada pays invoices on Fridays', source: '', confidence: 1 }],
    });
  }, 120_000);

  afterAll(async () => {
    clients?.memory.close();
    clients?.search.close();
    await server?.stop('SIGKILL');
    await proxy?.close();
    await model?.close();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps answering: lexical untouched, hybrid search and RecallFacts lexical-only, dense UNAVAILABLE, ready throughout', async () => {
    const figures: Record<string, unknown> = {};
    const healthy = await search();
    expect(healthy).toMatchObject({ partial: false, skipped: [], embeddingError: '' });

    // Down: every connection to the model is reset.
    model.fail('reset');
    const embedCallsBefore = model.requests.embed;
    const lexical = await search({ retrieval: RetrievalMode.RETRIEVAL_MODE_LEXICAL });
    expect(lexical).toMatchObject({ partial: false, skipped: [], embeddingError: '' });
    expect(lexical.hits.map((h) => h.id)).toContain('d1');
    expect(model.requests.embed).toBe(embedCallsBefore);

    const hybrid: SearchResponse[] = [];
    for (let i = 0; i < 6; i++) hybrid.push(await search());
    for (const result of hybrid) {
      expect(result.partial).toBe(true);
      expect(result.skipped).toEqual(BOTH_SKIPPED);
      expect(result.failedCollections).toEqual([
        { name: 'docs', retriever: Retriever.RETRIEVER_DENSE, reason: result.embeddingError },
      ]);
      expect(result.hits.map((h) => h.id)).toContain('d1');
    }
    expect(await embedderState()).toBe('open');
    figures.downReasons = countBy(hybrid, (r) => r.embeddingError);

    const exact = await search({ query: 'how do i reset my password' });
    expect(exact.goldenAnswer?.answer).toBe('Use the reset link.');
    expect(exact.skipped).toEqual(BOTH_SKIPPED);

    const whileOpen = model.requests.embed;
    expect(await statusOf(search({ retrieval: RetrievalMode.RETRIEVAL_MODE_DENSE }))).toBe(status.UNAVAILABLE);
    expect(
      await statusOf(
        clients.memory.recallFacts({
          userId: 'ada',
          query: 'when does ada pay',
          limit: 5,
          retrieval: RetrievalMode.RETRIEVAL_MODE_DENSE,
        }),
      ),
    ).toBe(status.UNAVAILABLE);
    // Hybrid (the default) goes on with the lexical side, as a hybrid search does.
    const lexicalOnly = await clients.memory.recallFacts({ userId: 'ada', query: 'when does ada pay', limit: 5 });
    expect(lexicalOnly.facts.map((f) => [f.vectorScore, f.lexicalScore > 0])).toEqual([[0, true]]);
    expect(model.requests.embed).toBe(whileOpen);
    const readyz = await httpGet(`${server.metricsUrl}/readyz`);
    expect(readyz.status).toBe(200);
    expect(JSON.parse(readyz.body)).toMatchObject({ ready: true, degraded: { embedder: 'open' } });

    // Slow: the model answers again, 3 s late — later than a search's embedding budget.
    model.fail(undefined);
    proxy.setDelay(3_000);
    const slow: SearchResponse[] = [];
    for (let i = 0; i < 6; i++) {
      slow.push(await search());
      await sleep(400);
    }
    for (const result of slow) {
      expect(result.partial).toBe(true);
      expect(result.hits.map((h) => h.id)).toContain('d1');
    }
    expect(slow.map((r) => r.embeddingError)).toContain(`query not embedded: embedder timed out after ${BUDGET_MS} ms`);
    figures.slowReasons = countBy(slow, (r) => r.embeddingError);

    // Flapping: fast again, down and up every ~1.5 s while searches keep coming.
    proxy.setDelay(0);
    const flapCodes: string[] = [];
    let complete = 0;
    for (let i = 0; i < 32; i++) {
      if (i % 8 === 0) model.fail(i % 16 === 0 ? 'reset' : undefined);
      const result = await search().catch((error: { code?: number }) => error);
      if ('hits' in result) {
        flapCodes.push('OK');
        if (!result.partial) complete++;
      } else flapCodes.push(String(result.code));
      await sleep(175);
    }
    expect(flapCodes.every((c) => c === 'OK')).toBe(true);
    figures.flappingSearches = flapCodes.length;
    figures.flappingComplete = complete;

    // Healed: the breaker lets a trial through and searches are whole again.
    model.fail(undefined);
    figures.recoveredAfterMs = Math.round(
      await waitUntil('a complete hybrid search', async () => !(await search()).partial, 20_000, 200),
    );
    expect(
      (await clients.memory.recallFacts({ userId: 'ada', query: 'when does ada pay', limit: 5 })).facts,
    ).toHaveLength(1);
    reportFigures('embedder-down', figures);
  }, 120_000);
});
