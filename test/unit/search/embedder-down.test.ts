import type { Breaker } from '../../../src/domain/breaker';
import { guardEmbedder } from '../../../src/domain/embedder-breaker';
import { UnavailableError } from '../../../src/domain/errors';
import { createFactIndex } from '../../../src/domain/memory';
import { createMetrics } from '../../../src/observability/metrics';
import { createBreaker } from '../../../src/resilience/breaker';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { FakeVectorStore } from '../../support/fakes/fake-vector-store';
import { buildSearch, counterValue, ctx, searchRequest } from './search-fixture';

/**
 * Issue 16, "degrade, don't fail": the embedder down, slow or flapping costs a search its dense
 * side and its semantic golden-answer lookup — said so in the answer — never the search.
 */

const QUESTION = 'How do I reset my password?';
const DOWN = new UnavailableError('embedder is unreachable');

describe('search with the embedder unavailable', () => {
  let fixture: ReturnType<typeof buildSearch>;
  let raw: FakeEmbedder;
  let breaker: Breaker;
  afterEach(() => {
    fixture.service.close();
    breaker.shutdown();
  });

  /** A search service whose embedder sits behind a real `embedder` breaker, as the server wires it. */
  const build = (tuning: { volumeThreshold?: number; resetTimeoutMs?: number } = {}) => {
    const metrics = createMetrics('test_', { processMetrics: false });
    raw = new FakeEmbedder();
    breaker = createBreaker({ name: 'embedder', timeoutMs: false, volumeThreshold: 3, ...tuning }, metrics);
    const guard = guardEmbedder(raw, breaker);
    fixture = buildSearch({ embeddingTimeoutMs: 50 }, { embedder: guard, metrics });
    fixture.metrics = metrics;
    fixture.store
      .scriptHits('docs', [{ id: 'dense-hit', score: 0.6 }])
      .scriptLexicalHits('docs', [{ id: 'lexical-hit', score: 4.2 }]);
  };

  const withGoldenAnswer = async () => {
    await fixture.service.upsertGoldenAnswer({ question: QUESTION, answer: 'Use the reset link.', sources: [] }, ctx());
    raw.calls.length = 0;
  };

  it('HYBRID answers with the lexical hits as partial, naming the dense retriever and why', async () => {
    build();
    raw.failure = DOWN;

    const result = await fixture.service.search(searchRequest({ rerank: 'never' }), ctx());

    expect(result.hits.map((h) => h.id)).toEqual(['lexical-hit']);
    expect(result.partial).toBe(true);
    expect(result.failedCollections).toEqual([
      { name: 'docs', retriever: 'dense', reason: 'query not embedded: embedder is unreachable' },
    ]);
    expect(result.skipped).toEqual(['dense_retrieval', 'semantic_golden_answer']);
    expect(result.embeddingError).toBe('query not embedded: embedder is unreachable');
    expect(await counterValue(fixture.metrics.skippedStages, { stage: 'dense_retrieval' })).toBe(1);
    expect(await counterValue(fixture.metrics.skippedStages, { stage: 'semantic_golden_answer' })).toBe(1);
    // The collection itself is fine: its breaker saw no failure.
    expect(fixture.service.openCollections()).toEqual([]);
  });

  it('still finds an exact golden answer, and says the semantic lookup was skipped', async () => {
    build();
    await withGoldenAnswer();
    raw.failure = DOWN;

    const exact = await fixture.service.search(searchRequest({ query: 'how do i reset my password' }), ctx());
    expect(exact.goldenAnswer).toMatchObject({ match: 'exact', answer: 'Use the reset link.' });
    expect(exact.skipped).toContain('semantic_golden_answer');

    const other = await fixture.service.search(searchRequest({ query: 'reset password please' }), ctx());
    expect(other.goldenAnswer).toBeUndefined();
    expect(other.skipped).toContain('semantic_golden_answer');
  });

  it('LEXICAL never embeds the query, whether the embedder is up or down', async () => {
    build();
    await withGoldenAnswer();

    const up = await fixture.service.search(searchRequest({ retrieval: 'lexical' }), ctx());
    raw.failure = DOWN;
    const down = await fixture.service.search(searchRequest({ retrieval: 'lexical' }), ctx());
    const golden = await fixture.service.search(
      searchRequest({ retrieval: 'lexical', query: 'How do I reset my password' }),
      ctx(),
    );

    expect(raw.calls).toEqual([]);
    for (const result of [up, down]) {
      expect(result).toMatchObject({ partial: false, failedCollections: [], skipped: [], retrievers: ['lexical'] });
      expect(result.hits.map((h) => h.id)).toEqual(['lexical-hit']);
    }
    expect(golden.goldenAnswer?.match).toBe('exact');
  });

  it('DENSE fails UNAVAILABLE: there is nothing to fall back on', async () => {
    build();
    raw.failure = DOWN;

    await expect(fixture.service.search(searchRequest({ retrieval: 'dense' }), ctx())).rejects.toThrow(DOWN);
  });

  it('fails UNAVAILABLE when no collection has a lexical side to fall back on', async () => {
    build();
    fixture.store.withoutLexical('faq').scriptHits('faq', [{ id: 'faq-hit', score: 0.9 }]);
    raw.failure = DOWN;

    const error = await fixture.service.search(searchRequest({ collections: ['faq'] }), ctx()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain('faq (query not embedded: embedder is unreachable)');
  });

  it('lists a collection without a lexical side as failed while another answers', async () => {
    build();
    fixture.store.withoutLexical('faq').scriptHits('faq', [{ id: 'faq-hit', score: 0.9 }]);
    raw.failure = DOWN;

    const result = await fixture.service.search(searchRequest({ collections: ['docs', 'faq'] }), ctx());

    expect(result.hits.map((h) => h.id)).toEqual(['lexical-hit']);
    expect(result.failedCollections).toEqual([
      { name: 'docs', retriever: 'dense', reason: 'query not embedded: embedder is unreachable' },
      { name: 'faq', reason: 'query not embedded: embedder is unreachable' },
    ]);
  });

  it('opens the embedder breaker after repeated failures; searches then skip the embedder entirely', async () => {
    build({ volumeThreshold: 3, resetTimeoutMs: 60_000 });
    raw.failure = DOWN;
    for (let i = 0; i < 3; i++) await fixture.service.search(searchRequest({ query: `query ${i}` }), ctx());
    expect(breaker.state()).toBe('open');
    const calls = raw.calls.length;

    const result = await fixture.service.search(searchRequest({ query: 'another query' }), ctx());

    expect(raw.calls).toHaveLength(calls);
    expect(result.hits.map((h) => h.id)).toEqual(['lexical-hit']);
    expect(result.embeddingError).toBe('query not embedded: embedder is unavailable (circuit breaker open)');
    const state = await fixture.metrics.breakerState.get();
    expect(state.values.find((v) => v.labels.breaker === 'embedder' && v.labels.state === 'open')?.value).toBe(1);
  });

  it('a slow embedder: the search stops waiting at its embedding budget, and the breaker counts it', async () => {
    build({ volumeThreshold: 2, resetTimeoutMs: 60_000 });
    raw.hang = true;

    const first = await fixture.service.search(searchRequest({ query: 'slow one' }), ctx());
    expect(first.hits.map((h) => h.id)).toEqual(['lexical-hit']);
    expect(first.embeddingError).toBe('query not embedded: embedder timed out after 50 ms');
    await fixture.service.search(searchRequest({ query: 'slow two' }), ctx());
    expect(breaker.state()).toBe('open');
    const calls = raw.calls.length;

    const third = await fixture.service.search(searchRequest({ query: 'slow three' }), ctx());
    expect(raw.calls).toHaveLength(calls);
    expect(third.partial).toBe(true);
  });

  it('a flapping embedder: every search answers, complete when it embedded, partial when not', async () => {
    build({ volumeThreshold: 1_000 });
    for (let i = 0; i < 20; i++) {
      raw.failure = i % 3 === 0 ? DOWN : undefined;
      raw.hang = i % 3 === 1 && i % 2 === 0;

      const result = await fixture.service.search(searchRequest({ query: `flap ${i}`, rerank: 'never' }), ctx());

      const degraded = raw.failure !== undefined || raw.hang;
      expect(result.partial).toBe(degraded);
      expect(result.skipped).toEqual(degraded ? ['dense_retrieval', 'semantic_golden_answer'] : []);
      expect(result.hits.map((h) => h.id).sort()).toEqual(degraded ? ['lexical-hit'] : ['dense-hit', 'lexical-hit']);
    }
  });
});

describe('RecallFacts with the embedder unavailable', () => {
  it('fails fast with UNAVAILABLE once the embedder breaker is open, without calling the embedder', async () => {
    const raw = new FakeEmbedder();
    const breaker = createBreaker({ name: 'embedder', timeoutMs: false, volumeThreshold: 2, resetTimeoutMs: 60_000 });
    const index = createFactIndex({ vectorStore: new FakeVectorStore(), embedder: guardEmbedder(raw, breaker) });
    const [vector] = await index.embed(['alice likes green tea'], ctx());
    await index.put('alice', [{ id: 'a1', content: 'alice likes green tea', vector: vector! }], ctx());
    raw.failure = DOWN;
    for (let i = 0; i < 2; i++) await expect(index.recall('alice', 'tea', 5, ctx())).rejects.toBe(DOWN);
    const calls = raw.calls.length;

    const error = await index.recall('alice', 'tea', 5, ctx()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe('embedder is unavailable (circuit breaker open)');
    expect(raw.calls).toHaveLength(calls);
    breaker.shutdown();
  });
});
