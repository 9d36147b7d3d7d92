import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../../../harness/model-server';
import {
  type HttpRerankerOptions,
  UNRANKED_SCORE,
  createHttpReranker,
} from '../../../src/adapters/rerankers/http-reranker';
import { bm25Scores } from '../../../src/adapters/rerankers/lexical-reranker';
import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { DeadlineExceededError, UnavailableError } from '../../../src/domain/errors';
import { createMetrics } from '../../../src/observability/metrics';

let server: ModelServer | undefined;
const closers: Array<() => void> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.close();
  server = undefined;
});

async function setUp(serverOptions: ModelServerOptions, options: Omit<HttpRerankerOptions, 'url'>) {
  server = await startModelServer(serverOptions);
  const reranker = createHttpReranker({ url: server.url, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options });
  closers.push(reranker.close);
  return { server, reranker };
}

const QUERY = 'download invoice billing';
const TEXTS = [
  'Our office is closed on public holidays.',
  'Invoices can be downloaded as PDF from the billing page.',
  'The weather in Berlin is mild in spring.',
  'Download an invoice: open Billing, then Invoices.',
];

describe('HTTP reranker', () => {
  it('speaks TEI: one score per text, in input order', async () => {
    const { server, reranker } = await setUp({}, { format: 'tei' });
    const scores = await reranker.rerank(QUERY, TEXTS, backgroundContext());
    expect(scores).toEqual(bm25Scores(QUERY, TEXTS));
    expect(server.requests.rerank).toBe(1);
    expect(reranker.name).toBe('tei-rerank');
    await expect(reranker.rerank(QUERY, [], backgroundContext())).resolves.toEqual([]);
  });

  it("splits a call larger than TEI's batch limit into several requests", async () => {
    const texts = Array.from({ length: 70 }, (_, i) => (i % 10 === 0 ? `invoice ${i} billing` : `note ${i}`));
    const { server, reranker } = await setUp({ maxRerankBatch: 32 }, { format: 'tei', batchSize: 32 });
    const scores = await reranker.rerank(QUERY, texts, backgroundContext());
    expect(scores).toHaveLength(70);
    expect(server.requests.rerank).toBe(3);
    expect(scores.map((s) => s > 0)).toEqual(texts.map((_, i) => i % 10 === 0));
  });

  it('speaks Cohere/Jina style, with the model and the API key', async () => {
    const { reranker } = await setUp({ apiKey: 'rk' }, { format: 'cohere', model: 'rerank-v3', apiKey: 'rk' });
    const scores = await reranker.rerank(QUERY, TEXTS, backgroundContext());
    expect(scores).toEqual(bm25Scores(QUERY, TEXTS));
    expect(reranker.name).toBe('cohere-rerank:rerank-v3');
  });

  it('gives texts left out of a top_n answer a score below every ranked one', async () => {
    const { reranker } = await setUp({}, { format: 'cohere', topN: 2 });
    const scores = await reranker.rerank(QUERY, TEXTS, backgroundContext());
    expect(scores[0]).toBe(UNRANKED_SCORE);
    expect(scores[2]).toBe(UNRANKED_SCORE);
    expect(scores[1]).toBeGreaterThan(0);
    expect(scores[3]).toBeGreaterThan(0);
    expect(scores.every(Number.isFinite)).toBe(true);
  });

  it('accepts a Cohere base URL that already ends in /v1', async () => {
    server = await startModelServer();
    const reranker = createHttpReranker({ url: `${server.url}/v1`, format: 'cohere' });
    closers.push(reranker.close);
    await expect(reranker.rerank(QUERY, TEXTS, backgroundContext())).resolves.toHaveLength(4);
  });

  it('retries once by default, since reranking is on the hot path', async () => {
    const { server, reranker } = await setUp({ failWith: 503, failCount: 1 }, { format: 'tei' });
    await expect(reranker.rerank(QUERY, TEXTS, backgroundContext())).resolves.toHaveLength(4);
    expect(server.requests.rerank).toBe(2);
    server.fail(503, 2);
    await expect(reranker.rerank(QUERY, TEXTS, backgroundContext())).rejects.toBeInstanceOf(UnavailableError);
    expect(server.requests.rerank).toBe(4);
  });

  it("answers DeadlineExceededError promptly when the cross-encoder outlives the caller's deadline", async () => {
    const { reranker } = await setUp({ rerankLatencyMs: 2_000 }, { format: 'tei' });
    const start = Date.now();
    await expect(reranker.rerank(QUERY, TEXTS, contextWithTimeout(100))).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - start).toBeLessThan(400);
  });

  it('opens the reranker breaker after repeated outages', async () => {
    const metrics = createMetrics('test_', { processMetrics: false });
    server = await startModelServer({ failWith: 502 });
    const reranker = createHttpReranker(
      { url: server.url, format: 'tei', maxRetries: 0, breaker: { volumeThreshold: 2 } },
      metrics,
    );
    closers.push(reranker.close);
    for (let i = 0; i < 2; i++) await expect(reranker.rerank(QUERY, TEXTS, backgroundContext())).rejects.toThrow();
    expect(reranker.breaker.state()).toBe('open');
    await expect(reranker.rerank(QUERY, TEXTS, backgroundContext())).rejects.toThrow('circuit breaker open');
    expect(server.requests.rerank).toBe(2);
    const events = await metrics.breakerEvents.get();
    expect(events.values.find((v) => v.labels.breaker === 'reranker' && v.labels.event === 'reject')?.value).toBe(1);
  });

  it('treats a malformed answer as an outage', async () => {
    const answers: unknown[] = [{ not: 'a list' }, [{ index: 7, score: 0.5 }], [{ index: 0, score: 'high' }]];
    const bad: Server = createServer((_req, res) => res.end(JSON.stringify(answers.shift())));
    await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(bad.address() as AddressInfo).port}`;
      const reranker = createHttpReranker({ url, format: 'tei', maxRetries: 0 });
      closers.push(reranker.close);
      for (let i = 0; i < 3; i++) {
        const error = await reranker.rerank(QUERY, ['one text'], backgroundContext()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnavailableError);
        expect((error as Error).message).toBe('reranker returned a malformed response');
      }
    } finally {
      bad.closeAllConnections();
      await new Promise((resolve) => bad.close(resolve));
    }
  });
});
