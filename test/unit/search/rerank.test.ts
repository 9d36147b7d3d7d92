import { contextWithTimeout } from '../../../src/domain/context';
import { DeadlineExceededError, UnavailableError } from '../../../src/domain/errors';
import type { RerankMode } from '../../../src/domain/search';
import { buildSearch, counterValue, ctx, searchRequest } from './search-fixture';

describe('early exit and reranking', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  // The report's rule: the top cosine against SEARCH_EARLY_EXIT_SCORE (early-exit.test.ts has the others).
  const searchWithTop = async (top: number, rerank: RerankMode, options = {}) => {
    fixture = buildSearch({ earlyExitSignal: 'score', ...options });
    fixture.store.scriptHits('docs', [
      { id: 'top', score: top, text: 'unrelated words' },
      { id: 'second', score: 0.5, text: 'how do circuit breakers work' },
    ]);
    return fixture.service.search(searchRequest({ rerank }), ctx());
  };

  it('reranks in AUTO mode when the top score is exactly the threshold', async () => {
    const result = await searchWithTop(0.9, 'auto');

    expect(result).toMatchObject({ reranked: true, earlyExit: false, rerankOutcome: 'reranked' });
    expect(fixture.reranker.calls).toHaveLength(1);
    expect(await counterValue(fixture.metrics.earlyExits)).toBe(0);
  });

  it('exits early in AUTO mode when the top score is just above the threshold', async () => {
    const result = await searchWithTop(0.9001, 'auto');

    expect(result).toMatchObject({ reranked: false, earlyExit: true, rerankOutcome: 'skipped_early_exit' });
    expect(result.hits.map((h) => h.id)).toEqual(['top', 'second']);
    expect(fixture.reranker.calls).toHaveLength(0);
    expect(await counterValue(fixture.metrics.earlyExits)).toBe(1);
  });

  it('reranks in ALWAYS mode even above the threshold', async () => {
    const result = await searchWithTop(0.95, 'always');

    expect(result).toMatchObject({ reranked: true, earlyExit: false, rerankOutcome: 'reranked' });
    expect(fixture.reranker.calls).toHaveLength(1);
  });

  it('never reranks in NEVER mode, even far below the threshold', async () => {
    const result = await searchWithTop(0.2, 'never');

    expect(result).toMatchObject({ reranked: false, earlyExit: false, rerankOutcome: 'skipped_by_request' });
    expect(fixture.reranker.calls).toHaveLength(0);
  });

  it('reranks above the threshold when early exit is disabled (benchmark baseline)', async () => {
    const result = await searchWithTop(0.99, 'auto', { earlyExitEnabled: false });

    expect(result).toMatchObject({ reranked: true, earlyExit: false });
  });

  it('orders reranked hits by the reranker score and keeps the vector score', async () => {
    const result = await searchWithTop(0.6, 'auto');

    expect(result.hits.map((h) => [h.id, h.score, h.vectorScore])).toEqual([
      ['second', 1, 0.5],
      ['top', 0, 0.6],
    ]);
  });

  it('keeps the vector order among hits the reranker scores alike', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', [
      { id: 'z', score: 0.7, text: 'automobile' },
      { id: 'm', score: 0.6, text: 'how do circuit breakers work' },
      { id: 'a', score: 0.5, text: 'vehicle' },
    ]);

    const result = await fixture.service.search(searchRequest({ rerank: 'always' }), ctx());

    // "m" shares the query's words; "z" and "a" share none and stay in vector order, not id order.
    expect(result.hits.map((h) => [h.id, h.score])).toEqual([
      ['m', 1],
      ['z', 0],
      ['a', 0],
    ]);
  });

  it('keeps the vector order with a generic reason when the reranker fails', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', [
      { id: 'a', score: 0.7 },
      { id: 'b', score: 0.6 },
    ]);
    fixture.reranker.failure = new Error('401 from https://rerank.example (key sk-secret)');

    const result = await fixture.service.search(searchRequest(), ctx());

    expect(result).toMatchObject({ reranked: false, rerankOutcome: 'failed', rerankError: 'reranker failed' });
    expect(result.hits.map((h) => [h.id, h.score])).toEqual([
      ['a', 0.7],
      ['b', 0.6],
    ]);
  });

  it('skips reranking when too little of the deadline is left', async () => {
    fixture = buildSearch({ rerankMinBudgetMs: 60_000 });
    fixture.store.scriptHits('docs', [{ id: 'a', score: 0.5 }]);

    const result = await fixture.service.search(searchRequest(), contextWithTimeout(10_000));

    expect(result).toMatchObject({ reranked: false, rerankOutcome: 'skipped_deadline' });
    expect(result.hits).toHaveLength(1);
    expect(fixture.reranker.calls).toHaveLength(0);
  });

  it('has nothing to rerank when no collection has hits', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', []);

    const result = await fixture.service.search(searchRequest(), ctx());

    expect(result).toMatchObject({ hits: [], rerankOutcome: 'skipped_no_hits', partial: false });
  });

  it('shows the reranker the top rerankCandidates hits, whatever the limit, and keeps the rest after them in fused order', async () => {
    fixture = buildSearch({ rerankCandidates: 4 });
    // Fused order d0…d9; the fake reranker prefers texts sharing the query's words.
    fixture.store.scriptHits(
      'docs',
      Array.from({ length: 10 }, (_, i) => ({
        id: `d${i}`,
        score: 0.8 - i / 100,
        text: i === 3 || i === 6 ? 'circuit breakers' : `other ${i}`,
      })),
    );

    const small = await fixture.service.search(searchRequest({ limit: 3, rerank: 'always' }), ctx());
    const large = await fixture.service.search(searchRequest({ limit: 8, rerank: 'always' }), ctx());

    expect(fixture.reranker.calls.map((c) => c.texts.length)).toEqual([4, 4]);
    // d3 (within the depth) moves up; d6 (beyond it) stays where fusion put it.
    expect(large.hits.map((h) => h.id)).toEqual(['d3', 'd0', 'd1', 'd2', 'd4', 'd5', 'd6', 'd7']);
    expect(small.hits.map((h) => h.id)).toEqual(['d3', 'd0', 'd1']);
  });

  it.each([
    ['an open breaker', new UnavailableError('reranker is unavailable (circuit breaker open)'), 'reranker unavailable'],
    ['a timeout', new UnavailableError('reranker timed out'), 'reranker unavailable'],
    ['the deadline', new DeadlineExceededError(), 'deadline exceeded while reranking'],
  ])('falls back to the whole fused order on %s, and says so', async (_case, failure, reason) => {
    fixture = buildSearch({ rerankCandidates: 2 });
    fixture.store.scriptHits(
      'docs',
      ['a', 'b', 'c', 'd'].map((id, i) => ({ id, score: 0.8 - i / 10 })),
    );
    fixture.reranker.failure = failure;

    const result = await fixture.service.search(searchRequest({ rerank: 'always' }), ctx());

    expect(result).toMatchObject({ reranked: false, earlyExit: false, rerankOutcome: 'failed', rerankError: reason });
    expect(result.hits.map((h) => h.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
