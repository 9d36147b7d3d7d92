import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { DeadlineExceededError, InvalidArgumentError, UnavailableError } from '../../../src/domain/errors';
import type { FactIndex } from '../../../src/domain/memory/fact-index';
import { type FactRecallOptions, createFactRecall } from '../../../src/domain/memory/fact-recall';
import { FakeLexicalFactIndex } from '../../support/fakes/fake-lexical-fact-index';
import { FakeMemoryRepository } from '../../support/fakes/fake-memory-repository';

const ctx = backgroundContext();
const fact = (content: string) => ({ content, source: '', confidence: 1, metadata: {} });

/**
 * A dense index that "understands" paraphrases through a fixed synonym table, and knows no rare
 * names: enough to show what each retriever finds that the other misses.
 */
function paraphraseIndex(repository: FakeMemoryRepository) {
  const meaning: Record<string, string> = { automobile: 'car', vehicle: 'car', car: 'car', feline: 'cat', cat: 'cat' };
  const concepts = (text: string) =>
    new Set((text.toLowerCase().match(/\p{L}+/gu) ?? []).map((w) => meaning[w]).filter(Boolean));
  const index: FactIndex & { calls: number; failWith?: Error } = {
    calls: 0,
    async embed(contents) {
      return contents.map(() => [1]);
    },
    async put() {},
    async remove() {
      return 0;
    },
    async removeUser() {
      return 0;
    },
    async recall(userId, query, limit) {
      index.calls += 1;
      if (index.failWith) throw index.failWith;
      const wanted = concepts(query);
      return repository.facts
        .filter((f) => f.userId === userId)
        .map((f) => ({ factId: f.id, score: [...concepts(f.content)].filter((c) => wanted.has(c)).length * 0.4 }))
        .filter((hit) => hit.score > 0)
        .slice(0, limit);
    },
  };
  return index;
}

async function setup(options?: FactRecallOptions) {
  const repository = new FakeMemoryRepository();
  const factIndex = paraphraseIndex(repository);
  const lexicalIndex = new FakeLexicalFactIndex(repository);
  const recall = createFactRecall({ repository, factIndex, lexicalIndex, options });
  await repository.addFacts('u1', [fact('Drives a red car'), fact('Her cat is called Zorblax')], ctx);
  await repository.addFacts('u2', [fact('Zorblax is also my cat'), fact('Owns an automobile')], ctx);
  return { repository, factIndex, lexicalIndex, recall };
}

const contents = (facts: Array<{ content: string }>) => facts.map((f) => f.content);

describe('RecallFacts retrieval modes', () => {
  it('hybrid finds both the rare name dense misses and the paraphrase lexical misses, with both scores', async () => {
    const { recall } = await setup();
    const byName = await recall({ userId: 'u1', query: 'zorblax', limit: 5, retrieval: 'dense' }, ctx);
    expect(byName.facts).toEqual([]);
    const byMeaning = await recall({ userId: 'u1', query: 'automobile', limit: 5, retrieval: 'lexical' }, ctx);
    expect(byMeaning.facts).toEqual([]);
    const hybrid = await recall({ userId: 'u1', query: 'zorblax automobile', limit: 5, retrieval: 'hybrid' }, ctx);
    expect(contents(hybrid.facts).sort()).toEqual(['Drives a red car', 'Her cat is called Zorblax']);
    const both = await recall({ userId: 'u1', query: 'feline zorblax', limit: 5 }, ctx);
    expect(both.facts[0]).toMatchObject({ content: 'Her cat is called Zorblax', vectorScore: 0.4, lexicalScore: 1 });
    // RRF (k 60): in first place of both lists.
    expect(both.facts[0]!.score).toBeCloseTo(2 / 61, 12);
  });

  it("never returns another user's facts, whichever retriever finds them", async () => {
    const { recall } = await setup();
    for (const retrieval of ['hybrid', 'dense', 'lexical']) {
      const found = await recall({ userId: 'u2', query: 'zorblax car cat', limit: 10, retrieval }, ctx);
      expect(found.facts.every((f) => f.userId === 'u2')).toBe(true);
      expect(found.facts.length).toBeGreaterThan(0);
    }
  });

  it('a single retriever keeps its own score: cosine for dense, BM25 for lexical', async () => {
    const { recall } = await setup();
    const [dense] = (await recall({ userId: 'u1', query: 'vehicle', limit: 1, retrieval: 'dense' }, ctx)).facts;
    expect(dense).toMatchObject({ score: 0.4, vectorScore: 0.4 });
    expect(dense!.lexicalScore).toBeUndefined();
    const [lexical] = (await recall({ userId: 'u1', query: 'red car', limit: 1, retrieval: 'lexical' }, ctx)).facts;
    expect(lexical).toMatchObject({ score: 2, lexicalScore: 2 });
    expect(lexical!.vectorScore).toBeUndefined();
  });

  it('lexical never embeds, so it works with the embedder down', async () => {
    const { recall, factIndex } = await setup();
    factIndex.failWith = new UnavailableError('embedder breaker open');
    const found = await recall({ userId: 'u1', query: 'zorblax', limit: 5, retrieval: 'lexical' }, ctx);
    expect(contents(found.facts)).toEqual(['Her cat is called Zorblax']);
    expect(factIndex.calls).toBe(0);
  });

  it('hybrid goes on with the lexical hits when the dense side is unavailable; dense alone fails UNAVAILABLE', async () => {
    const { recall, factIndex } = await setup();
    factIndex.failWith = new UnavailableError('embedder breaker open');
    const found = await recall({ userId: 'u1', query: 'zorblax', limit: 5 }, ctx);
    expect(found.facts).toEqual([expect.objectContaining({ content: 'Her cat is called Zorblax', lexicalScore: 1 })]);
    await expect(recall({ userId: 'u1', query: 'car', limit: 5, retrieval: 'dense' }, ctx)).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it("the caller's own deadline is never degraded into a lexical-only answer", async () => {
    const { recall, factIndex } = await setup();
    factIndex.failWith = new DeadlineExceededError('deadline exceeded');
    await expect(
      recall({ userId: 'u1', query: 'zorblax', limit: 5 }, contextWithTimeout(10_000)),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('UNSPECIFIED retrieval is the server default; an unknown one is INVALID_ARGUMENT naming retrieval, searching nothing', async () => {
    const { recall, factIndex, lexicalIndex } = await setup({
      retrieval: 'lexical',
      fusion: { method: 'rrf', rrfK: 60, denseWeight: 0.5 },
    });
    await recall({ userId: 'u1', query: 'car', limit: 5 }, ctx);
    expect([factIndex.calls, lexicalIndex.calls]).toEqual([0, 1]);
    const error = await recall({ userId: 'u1', query: 'car', limit: 5, retrieval: 'unrecognized:7' }, ctx).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations.map((v) => v.field)).toEqual(['retrieval']);
    expect([factIndex.calls, lexicalIndex.calls]).toEqual([0, 1]);
  });

  it('a dense candidate whose fact is gone gives its place to the next one', async () => {
    const { repository, factIndex, lexicalIndex } = await setup();
    const [first, second] = repository.facts.filter((f) => f.userId === 'u1');
    const stale = '00000000-0000-4000-8000-000000000000';
    factIndex.recall = async () => [
      { factId: stale, score: 0.9 },
      { factId: first!.id, score: 0.5 },
      { factId: second!.id, score: 0.4 },
    ];
    const recall = createFactRecall({ repository, factIndex, lexicalIndex });
    const found = await recall({ userId: 'u1', query: 'anything', limit: 2, retrieval: 'dense' }, ctx);
    expect(found.facts.map((f) => f.id)).toEqual([first!.id, second!.id]);
  });
});
