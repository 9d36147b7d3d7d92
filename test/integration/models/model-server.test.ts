import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type LocalModels, startLocalModels } from '../../../harness/local-models';
import { createHttpEmbedder } from '../../../src/adapters/embedders/http-embedder';
import { createHttpReranker } from '../../../src/adapters/rerankers/http-reranker';
import { type CallContext, backgroundContext } from '../../../src/domain/context';

/** Written by scripts/model-server/reference.py (its `how` field says with what). */
interface Reference {
  embedding: { model: string; sentences: string[]; cosine: number[][]; head: number[][] };
  /** One logits set per kind of CPU: onnxruntime's int8 kernels differ by instruction set. */
  rerank: { query: string; passages: string[]; logits: Array<{ cpu: string; values: number[] }> };
}

const reference = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'model-server-reference.json'), 'utf8'),
) as Reference;

// Long enough that a request of them takes seconds on any machine: the abandonment tests
// give up after the first row and must find most rows never computed.
const LONG_TEXT = 'The laminar boundary layer on a flat plate at supersonic speed with heat transfer. '.repeat(12);

async function post(models: LocalModels, route: string, body: unknown, signal?: AbortSignal) {
  const response = await fetch(`${models.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: signal ?? null,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function embed(models: LocalModels, input: string[]): Promise<number[][]> {
  const { status, body } = await post(models, '/v1/embeddings', { model: models.embedding.model, input });
  expect(status).toBe(200);
  return (body as { data: { index: number; embedding: number[] }[] }).data
    .sort((a, b) => a.index - b.index)
    .map((d) => d.embedding);
}

async function rawScores(models: LocalModels, query: string, texts: string[]): Promise<number[]> {
  const { status, body } = await post(models, '/rerank', { query, texts, raw_scores: true });
  expect(status).toBe(200);
  const scores: number[] = [];
  for (const { index, score } of body as { index: number; score: number }[]) scores[index] = score;
  return scores;
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

/** Polls /stats until `done` holds (the server's own report, not a clock, decides). */
async function statsWhen(models: LocalModels, done: (s: Awaited<ReturnType<LocalModels['stats']>>) => boolean) {
  for (;;) {
    const stats = await models.stats();
    if (done(stats)) return stats;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The local model server (scripts/model-server.sh): bge-small-en-v1.5 and the L-12 cross-encoder. */
describe('model server (bge-small-en-v1.5, ms-marco-MiniLM-L-12-v2, int8 ONNX)', () => {
  let models: LocalModels;

  beforeAll(async () => {
    models = await startLocalModels();
  }, 15 * 60_000);

  afterAll(async () => {
    await models?.stop();
  });

  it("scores the cross-encoder model card's Berlin pair near its published fp32 logits (9.45 / -11.16)", async () => {
    const scores = await rawScores(models, reference.rerank.query, reference.rerank.passages);
    const [berlin, newYork] = scores;
    // int8 against fp32: within 0.5 of a 20.6-logit spread (0.06 to 0.32 measured, by CPU).
    expect(Math.abs(berlin! - 9.45)).toBeLessThan(0.5);
    expect(Math.abs(newYork! - -11.16)).toBeLessThan(0.5);
    // Exactly one of the stored sets, to 3 decimals (scripts/model-server/reference.py adds a new CPU's).
    const known = reference.rerank.logits.map((set) => set.values);
    const closest = known.find((values) => values.every((v, i) => Math.abs(v - scores[i]!) < 5e-4));
    expect({ scores, matchesAStoredSet: closest !== undefined }).toEqual({ scores, matchesAStoredSet: true });
  });

  it('reproduces the stored bge-small similarities, and a paraphrase beats an unrelated sentence', async () => {
    const vectors = await embed(models, reference.embedding.sentences);
    vectors.forEach((v, i) => {
      expect(v).toHaveLength(384);
      expect(dot(v, v)).toBeCloseTo(1, 5);
      reference.embedding.head[i]!.forEach((x, j) => expect(v[j]).toBeCloseTo(x, 4));
      vectors.forEach((w, j) => expect(dot(v, w)).toBeCloseTo(reference.embedding.cosine[i]![j]!, 4));
    });
    // 0: a prefixed query about heat transfer; 1: a passage answering it; 3 and 4: a paraphrase pair.
    expect(dot(vectors[0]!, vectors[1]!)).toBeGreaterThan(dot(vectors[0]!, vectors[3]!));
    expect(dot(vectors[3]!, vectors[4]!)).toBeGreaterThan(dot(vectors[3]!, vectors[2]!));
  });

  it('gives a pair the same score alone and inside a batch, whatever its batch-mates', async () => {
    const { query, passages } = reference.rerank;
    const alone = await rawScores(models, query, [passages[0]!]);
    const mates = [LONG_TEXT, 'Paris', passages[1]!, passages[0]!, `${LONG_TEXT} ${LONG_TEXT}`];
    const batched = await rawScores(models, query, mates);
    expect(batched[3]).toBe(alone[0]);
    const [single] = await embed(models, [passages[2]!]);
    const inBatch = await embed(models, [LONG_TEXT, passages[2]!, 'x']);
    expect(inBatch[1]).toEqual(single);
  });

  it('answers TEI-style: best first, sigmoid scores unless raw_scores, 422 on a malformed call', async () => {
    const { query, passages } = reference.rerank;
    const { status, body } = await post(models, '/rerank', { query, texts: passages, return_text: true });
    expect(status).toBe(200);
    const results = body as { index: number; score: number; text: string }[];
    expect(results.map((r) => r.index)).toEqual([0, 2, 1]);
    expect(results.every((r) => r.score > 0 && r.score < 1 && r.text === passages[r.index])).toBe(true);
    expect((await post(models, '/rerank', { query, texts: 'not a list' })).status).toBe(422);
    expect((await post(models, '/rerank', { query, texts: [LONG_TEXT.repeat(8)], truncate: false })).status).toBe(422);
    expect((await post(models, '/rerank', { query, texts: [LONG_TEXT.repeat(8)], truncate: true })).status).toBe(200);
  });

  it("works unchanged with recall's HTTP reranker (tei and cohere formats) and HTTP embedder", async () => {
    const { query, passages } = reference.rerank;
    for (const format of ['tei', 'cohere'] as const) {
      const reranker = createHttpReranker({ url: models.url, format, timeoutMs: 60_000 });
      try {
        const scores = await reranker.rerank(query, passages, backgroundContext());
        expect(scores[0]).toBeGreaterThan(scores[2]!);
        expect(scores[2]).toBeGreaterThan(scores[1]!);
      } finally {
        reranker.close();
      }
    }
    // No breaker of its own to close: the composition root puts every embedder behind `embedder`.
    const embedder = createHttpEmbedder({ url: models.url, model: models.embedding.model, dimension: 384 });
    const [vector] = await embedder.embed([passages[0]!], backgroundContext());
    expect(vector).toHaveLength(384);
    expect(dot(vector!, (await embed(models, [passages[0]!]))[0]!)).toBeCloseTo(1, 6);
  });

  it('stops computing a rerank once its client gives up', async () => {
    const before = await models.stats();
    const texts = Array.from({ length: 200 }, (_, i) => `${i} ${LONG_TEXT}`);
    const controller = new AbortController();
    const pending = post(models, '/rerank', { query: 'heat transfer', texts }, controller.signal).catch((e) => e);
    await statsWhen(models, (s) => s.reranked > before.reranked);
    controller.abort();
    expect(((await pending) as { name?: string }).name).toBe('AbortError');
    const after = await statsWhen(models, (s) => s.abandoned_requests > before.abandoned_requests);
    const computed = after.reranked - before.reranked;
    expect(computed + after.skipped - before.skipped).toBe(200);
    expect(computed).toBeLessThan(100);
    expect((await models.stats()).reranked).toBe(after.reranked);
  });

  it("stops computing when recall's reranker abandons the call (the caller cancelled)", async () => {
    const before = await models.stats();
    const reranker = createHttpReranker({ url: models.url, format: 'tei', batchSize: 128, timeoutMs: 600_000 });
    const controller = new AbortController();
    const ctx: CallContext = { deadline: Number.POSITIVE_INFINITY, signal: controller.signal };
    try {
      const texts = Array.from({ length: 128 }, (_, i) => `${i} ${LONG_TEXT}`);
      const pending = reranker.rerank('heat transfer', texts, ctx).catch((e: unknown) => e);
      await statsWhen(models, (s) => s.reranked > before.reranked);
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      // One request of 128, abandoned: most of its rows never run.
      const after = await statsWhen(models, (s) => s.abandoned_requests > before.abandoned_requests);
      expect(after.reranked - before.reranked).toBeLessThan(64);
      expect(after.reranked - before.reranked + after.skipped - before.skipped).toBe(128);
    } finally {
      reranker.close();
    }
  });
});
