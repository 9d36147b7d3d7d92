import { type ModelServer, type ModelServerOptions, startModelServer } from '../../../harness/model-server';
import { type HttpEmbedderOptions, createHttpEmbedder } from '../../../src/adapters/embedders/http-embedder';
import { embedText } from '../../../src/adapters/embedders/local-embedder';
import type { BreakerOptions } from '../../../src/domain/breaker';
import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { guardEmbedder } from '../../../src/domain/embedder-breaker';
import {
  CancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  UnavailableError,
} from '../../../src/domain/errors';
import type { Embedder } from '../../../src/domain/ports';
import { type Metrics, createMetrics } from '../../../src/observability/metrics';
import { createBreaker } from '../../../src/resilience/breaker';

let server: ModelServer | undefined;
const closers: Array<() => void> = [];

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await server?.close();
  server = undefined;
});

async function setUp(serverOptions: ModelServerOptions = {}, options: Partial<HttpEmbedderOptions> = {}) {
  server = await startModelServer(serverOptions);
  const embedder = createHttpEmbedder({
    url: server.url,
    model: 'test-model',
    dimension: 384,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  return { server, embedder };
}

const elapsedSince = (start: number) => Date.now() - start;

/** `embedder` behind the breaker the composition root puts every embedder behind. */
function guarded(embedder: Embedder, tuning: Omit<BreakerOptions, 'name'>, metrics?: Metrics) {
  const breaker = createBreaker({ ...tuning, name: 'embedder' }, metrics);
  closers.push(() => breaker.shutdown());
  return guardEmbedder(embedder, breaker);
}

/** Polls `condition` every 10 ms; fails the test if it is still false after 30 s (generous: CI runs loaded). */
async function waitUntil(condition: () => boolean): Promise<void> {
  const until = Date.now() + 30_000;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('HTTP embedder (OpenAI-compatible)', () => {
  it('returns one unit vector per text, in input order, whatever order the provider lists them in', async () => {
    const { embedder } = await setUp({ reverseOrder: true });
    const texts = ['first text', 'second text', 'third text'];
    const vectors = await embedder.embed(texts, backgroundContext());
    vectors.forEach((v, i) => {
      const expected = embedText(texts[i]!, 384);
      for (let k = 0; k < v.length; k++) expect(v[k]).toBeCloseTo(expected[k]!, 6);
    });
    expect(embedder.dimension).toBe(384);
    expect(embedder.name).toBe('openai:test-model');
  });

  it('accepts a base URL with /v1, a trailing slash or the full endpoint', async () => {
    server = await startModelServer();
    for (const url of [`${server.url}/`, `${server.url}/v1`, `${server.url}/v1/`, `${server.url}/v1/embeddings`]) {
      const embedder = createHttpEmbedder({ url, model: 'm', dimension: 384 });
      await expect(embedder.embed(['hello'], backgroundContext())).resolves.toHaveLength(1);
    }
    expect(server.requests.embed).toBe(4);
  });

  it('never sends more than batchSize texts a request, and grows its batches while the provider keeps up', async () => {
    const { server, embedder } = await setUp({}, { batchSize: 16 });
    const texts = Array.from({ length: 150 }, (_, i) => `text ${i}`);
    const vectors = await embedder.embed(texts, backgroundContext());
    expect(vectors).toHaveLength(150);
    expect(vectors[149]![0]).toBeCloseTo(embedText('text 149', 384)[0]!, 6);
    const sizes = server.embedBatchSizes;
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(150);
    expect(Math.max(...sizes)).toBe(16);
    expect(sizes[0]).toBeLessThan(16);
    await expect(embedder.embed([], backgroundContext())).resolves.toEqual([]);
    expect(server.requests.embed).toBe(sizes.length);
  });

  it('splits a batch that times out and sends the halves again, instead of failing the call', async () => {
    // 30 ms a text: 8 texts outlast the 200 ms attempt timeout; the high target lets the window grow that far.
    const { server, embedder } = await setUp(
      { embedLatencyPerTextMs: 30 },
      { timeoutMs: 200, targetLatencyMs: 10_000, maxRetries: 0 },
    );
    const texts = Array.from({ length: 60 }, (_, i) => `text ${i}`);
    const vectors = await embedder.embed(texts, backgroundContext());
    expect(vectors.map((v) => v[0])).toEqual(texts.map((t) => expect.closeTo(embedText(t, 384)[0]!, 6)));
    expect(server.abandoned.embed).toBeGreaterThan(0);
  });

  it('keeps a slow provider under its timeout by shrinking the batches', async () => {
    // 64 texts at 40 ms each would take 2.5 s against a 1 s timeout; the window's 250 ms target keeps batches small.
    const { server, embedder } = await setUp({ embedLatencyPerTextMs: 40 }, { timeoutMs: 1_000, maxRetries: 0 });
    const texts = Array.from({ length: 100 }, (_, i) => `slow ${i}`);
    await expect(embedder.embed(texts, backgroundContext())).resolves.toHaveLength(100);
    expect(Math.max(...server.embedBatchSizes)).toBeLessThan(25);
  });

  it('sends the API key as a bearer token and treats a rejected key as a configuration problem', async () => {
    const { embedder } = await setUp({ apiKey: 'sk-test' }, { apiKey: 'sk-test' });
    await expect(embedder.embed(['hi'], backgroundContext())).resolves.toHaveLength(1);
    const wrong = createHttpEmbedder({ url: server!.url, model: 'm', dimension: 384, apiKey: 'sk-wrong' });
    const error = await wrong.embed(['hi'], backgroundContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedPreconditionError);
    expect(String((error as Error).message)).not.toContain('sk-wrong');
    expect(server!.requests.embed).toBe(2);
  });

  it('retries a 503 and then succeeds', async () => {
    const { server, embedder } = await setUp({ failWith: 503, failCount: 2 });
    await expect(embedder.embed(['hello'], backgroundContext())).resolves.toHaveLength(1);
    expect(server.requests.embed).toBe(3);
  });

  it('retries a dropped connection', async () => {
    const { server, embedder } = await setUp({ failWith: 'reset', failCount: 1 });
    await expect(embedder.embed(['hello'], backgroundContext())).resolves.toHaveLength(1);
    expect(server.requests.embed).toBe(2);
  });

  it('waits as long as Retry-After asks before retrying a 429', async () => {
    const { server, embedder } = await setUp({ failWith: 429, failCount: 1, retryAfterSeconds: 0.3 });
    const start = Date.now();
    await embedder.embed(['hello'], backgroundContext());
    expect(elapsedSince(start)).toBeGreaterThanOrEqual(290);
    expect(server.requests.embed).toBe(2);
  });

  it('gives up after maxRetries with UnavailableError', async () => {
    const { server, embedder } = await setUp({ failWith: 503 }, { maxRetries: 2 });
    await expect(embedder.embed(['hello'], backgroundContext())).rejects.toBeInstanceOf(UnavailableError);
    expect(server.requests.embed).toBe(3);
  });

  it('does not retry a 400, and reports it as bad input', async () => {
    const { server, embedder } = await setUp();
    const error = await embedder.embed(['fine', ''], backgroundContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations[0]!.field).toBe('texts');
    expect(server.requests.embed).toBe(1);
  });

  it("answers DeadlineExceededError promptly when a slow provider outlives the caller's deadline", async () => {
    const { embedder } = await setUp({ embedLatencyMs: 2_000 });
    let start = Date.now();
    await expect(embedder.embed(['hello'], contextWithTimeout(100))).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(elapsedSince(start)).toBeLessThan(400);
    // A deadline without a signal that fires is honoured too.
    start = Date.now();
    const bare = { deadline: Date.now() + 100, signal: new AbortController().signal };
    await expect(embedder.embed(['hello'], bare)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(elapsedSince(start)).toBeLessThan(400);
  });

  it('never sleeps past the deadline to retry', async () => {
    const { server, embedder } = await setUp({ failWith: 503 }, { retry: { baseDelayMs: 1_000, maxDelayMs: 1_000 } });
    const start = Date.now();
    await expect(embedder.embed(['hello'], contextWithTimeout(300))).rejects.toBeInstanceOf(UnavailableError);
    expect(elapsedSince(start)).toBeLessThan(250);
    expect(server.requests.embed).toBe(1);
  });

  it('retries an attempt that exceeds timeoutMs, then reports the provider unavailable', async () => {
    const { server, embedder } = await setUp({ embedLatencyMs: 1_000 }, { timeoutMs: 100, maxRetries: 1 });
    const error = await embedder.embed(['hello'], backgroundContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe('embedder timed out');
    expect(server.requests.embed).toBe(2);
  });

  it('stops when the caller cancels, and closes the connection so the provider drops the work', async () => {
    const { server, embedder } = await setUp({ embedLatencyMs: 2_000 });
    const controller = new AbortController();
    const pending = embedder.embed(['hello', 'world'], {
      deadline: Number.POSITIVE_INFINITY,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    await waitUntil(() => server.abandoned.embed === server.requests.embed);
    expect(server.requests.embed).toBeGreaterThan(0);
  });

  it("closes the connection when the caller's deadline passes", async () => {
    const { server, embedder } = await setUp({ embedLatencyMs: 2_000 });
    await expect(embedder.embed(['hello'], contextWithTimeout(100))).rejects.toBeInstanceOf(DeadlineExceededError);
    await waitUntil(() => server.abandoned.embed === 1);
    expect(server.requests.embed).toBe(1);
  });

  it('refuses vectors of another dimension, and can ask the provider for the configured one', async () => {
    const { embedder } = await setUp({ dimension: 256 });
    await expect(embedder.embed(['hello'], backgroundContext())).rejects.toBeInstanceOf(FailedPreconditionError);
    const shortened = createHttpEmbedder({ url: server!.url, model: 'm', dimension: 128, sendDimensions: true });
    const [v] = await shortened.embed(['hello'], backgroundContext());
    expect(v).toHaveLength(128);
  });

  it('behind the embedder breaker: opens after repeated outages, then fails fast without calling the provider', async () => {
    const metrics = createMetrics('test_', { processMetrics: false });
    server = await startModelServer({ failWith: 503 });
    const embedder = guarded(
      createHttpEmbedder({ url: server.url, model: 'm', dimension: 384, maxRetries: 0 }),
      { volumeThreshold: 3, resetTimeoutMs: 200 },
      metrics,
    );
    for (let i = 0; i < 3; i++) {
      await expect(embedder.embed(['hello'], backgroundContext())).rejects.toBeInstanceOf(UnavailableError);
    }
    expect(embedder.breaker.state()).toBe('open');
    const seen = server.requests.embed;
    const error = await embedder.embed(['hello'], backgroundContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain('circuit breaker open');
    expect(server.requests.embed).toBe(seen);
    const state = await metrics.breakerState.get();
    expect(state.values.find((v) => v.labels.breaker === 'embedder' && v.labels.state === 'open')?.value).toBe(1);

    server.fail(undefined);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(embedder.embed(['hello'], backgroundContext())).resolves.toHaveLength(1);
    expect(embedder.breaker.state()).toBe('closed');
  });

  it('does not let bad input open the breaker', async () => {
    const { embedder: http } = await setUp();
    const embedder = guarded(http, { volumeThreshold: 2 });
    for (let i = 0; i < 5; i++) {
      await expect(embedder.embed([''], backgroundContext())).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(embedder.breaker.state()).toBe('closed');
  });
});
