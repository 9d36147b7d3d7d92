import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type EmbeddingServer, startEmbeddingServer } from '../../../harness/embedding-server';

/** Reference vectors from sentence-transformers on torch (how: the fixture's `how` field). */
interface Reference {
  model: string;
  cases: { text: string; tokens_before_truncation: number; embedding: number[] }[];
}

const reference = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'minilm-reference.json'), 'utf8'),
) as Reference;

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! * b[i]!;
  });
  return dot / Math.sqrt(na * nb);
}

/** The parts of an OpenAI embeddings answer (or error) the tests read. */
interface Answer {
  object?: string;
  data: { index: number; embedding: number[] }[];
  error?: { type: string };
}

async function embed(server: EmbeddingServer, input: unknown): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${server.url}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: server.model, input }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

/** The local embedding server started through scripts/embedding-server.sh, against the reference. */
describe('embedding server (all-MiniLM-L6-v2, numpy)', () => {
  let server: EmbeddingServer;

  beforeAll(async () => {
    server = await startEmbeddingServer();
  }, 15 * 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('reproduces the reference vectors (cosine ≥ 0.9999), long and non-ASCII texts included', async () => {
    expect(reference.cases.some((c) => c.tokens_before_truncation > 256)).toBe(true);
    const { status, body } = await embed(
      server,
      reference.cases.map((c) => c.text),
    );
    expect(status).toBe(200);
    expect(body.data).toHaveLength(reference.cases.length);
    const below = reference.cases
      .map((c, i) => {
        const item = body.data.find((d) => d.index === i)!;
        expect(item.embedding).toHaveLength(384);
        return { text: c.text.slice(0, 40), cosine: cosine(item.embedding, c.embedding) };
      })
      .filter((r) => !(r.cosine >= 0.9999));
    expect(below).toEqual([]);
  });

  it('answers a single string input and reports token usage', async () => {
    const { status, body } = await embed(server, reference.cases[0]!.text);
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'list', model: 'all-MiniLM-L6-v2', usage: { prompt_tokens: 7 } });
    expect(cosine(body.data[0]!.embedding, reference.cases[0]!.embedding)).toBeGreaterThanOrEqual(0.9999);
  });

  it('refuses an empty input with 400 in the OpenAI error shape', async () => {
    const { status, body } = await embed(server, []);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: 'invalid_request_error' });
  });
});
