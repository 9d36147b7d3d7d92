import { InvalidArgumentError, UnavailableError } from '../../../src/domain/errors';
import { buildSearch, counterValue, ctx, searchRequest } from './search-fixture';

/** Histogram sample count for one label set. */
async function observations(
  metric: {
    get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown>; metricName?: string }> }>;
  },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  const match = values.find(
    (v) => v.metricName?.endsWith('_count') && Object.entries(labels).every(([k, want]) => v.labels[k] === want),
  );
  return match?.value ?? 0;
}

describe('hybrid search', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  /** docs: dense finds a > b, lexical finds c > a. */
  const scriptDocs = () => {
    fixture.store
      .scriptHits('docs', [
        { id: 'a', score: 0.6 },
        { id: 'b', score: 0.5 },
      ])
      .scriptLexicalHits('docs', [
        { id: 'c', score: 7.5 },
        { id: 'a', score: 2.5 },
      ]);
  };

  it('runs dense and lexical retrieval and fuses them by reciprocal rank by default', async () => {
    fixture = buildSearch();
    scriptDocs();

    const result = await fixture.service.search(searchRequest({ rerank: 'never' }), ctx());

    expect(result).toMatchObject({ retrievers: ['dense', 'lexical'], fusion: 'rrf', partial: false });
    expect(result.hits.map((h) => [h.id, h.vectorScore, h.vectorRank, h.lexicalScore, h.lexicalRank])).toEqual([
      ['a', 0.6, 1, 2.5, 2],
      ['c', undefined, undefined, 7.5, 1],
      ['b', 0.5, 2, undefined, undefined],
    ]);
    expect(result.hits[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fixture.store.calls.find((c) => c.method === 'searchLexical')?.lexicalQuery).toEqual({
      text: 'how do circuit breakers work',
      limit: 100,
      filters: [],
    });
  });

  it('follows the request: weighted fusion, its own RRF k, dense or lexical alone', async () => {
    fixture = buildSearch();
    scriptDocs();

    const weighted = await fixture.service.search(searchRequest({ rerank: 'never', fusion: 'weighted' }), ctx());
    expect(weighted.fusion).toBe('weighted');
    // a: 0.5 × 1 + 0.5 × 0; c: 0.5 × 1; b: 0 — a and c tie, broken by id.
    expect(weighted.hits.map((h) => [h.id, h.score])).toEqual([
      ['a', 0.5],
      ['c', 0.5],
      ['b', 0],
    ]);

    const smallK = await fixture.service.search(searchRequest({ rerank: 'never', rrfK: 1 }), ctx());
    expect(smallK.hits[0]!.score).toBeCloseTo(1 / 2 + 1 / 3, 12);

    const dense = await fixture.service.search(searchRequest({ rerank: 'never', retrieval: 'dense' }), ctx());
    expect(dense).toMatchObject({ retrievers: ['dense'], lexicalUnavailable: [] });
    expect(dense.fusion).toBeUndefined();
    expect(dense.hits.map((h) => [h.id, h.score])).toEqual([
      ['a', 0.6],
      ['b', 0.5],
    ]);
    expect(fixture.store.calls.filter((c) => c.method === 'searchLexical')).toHaveLength(2);
  });

  it('searches lexically alone without embedding the query, and needs query text for it', async () => {
    fixture = buildSearch();
    scriptDocs();

    const result = await fixture.service.search(
      searchRequest({ rerank: 'never', retrieval: 'lexical', skipGoldenAnswer: true }),
      ctx(),
    );

    expect(result.retrievers).toEqual(['lexical']);
    expect(result.hits.map((h) => [h.id, h.score, h.vectorScore])).toEqual([
      ['c', 7.5, undefined],
      ['a', 2.5, undefined],
    ]);
    expect(fixture.embedder.calls).toEqual([]);
    expect(fixture.store.searchesOf('docs')).toBe(0);

    const noText = fixture.service.search(
      searchRequest({ query: undefined, vector: new Array(16).fill(0.25), retrieval: 'lexical' }),
      ctx(),
    );
    await expect(noText).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(noText).rejects.toMatchObject({
      violations: [{ field: 'query', description: 'is required for lexical retrieval' }],
    });
    await expect(fixture.service.search(searchRequest({ rrfK: 1001 }), ctx())).rejects.toMatchObject({
      violations: [{ field: 'rrf_k', description: 'must be between 0 (server default) and 1000' }],
    });
  });

  it('keeps the dense hits when lexical search fails, naming the retriever', async () => {
    fixture = buildSearch();
    scriptDocs();
    fixture.store.failLexicalOn('docs', new UnavailableError('bm25 index unreachable'));

    const result = await fixture.service.search(searchRequest({ rerank: 'never' }), ctx());

    expect(result).toMatchObject({
      partial: true,
      failedCollections: [{ name: 'docs', reason: 'bm25 index unreachable', retriever: 'lexical' }],
      retrievers: ['dense', 'lexical'],
    });
    expect(result.hits.map((h) => [h.id, h.score])).toEqual([
      ['a', 0.6],
      ['b', 0.5],
    ]);
  });

  it('keeps the lexical hits when dense search fails, and fails only when every list failed', async () => {
    fixture = buildSearch();
    scriptDocs();
    fixture.store.failDenseOn('docs', new UnavailableError('vector index down'));
    fixture.store.scriptHits('news', [{ id: 'n', score: 0.9 }]).failOn('news', new UnavailableError('down'));

    const result = await fixture.service.search(
      searchRequest({ collections: ['docs', 'news'], rerank: 'never' }),
      ctx(),
    );
    expect(result.partial).toBe(true);
    expect(result.failedCollections).toEqual([
      { name: 'docs', reason: 'vector index down', retriever: 'dense' },
      { name: 'news', reason: 'down' },
    ]);
    expect(result.hits.map((h) => [h.id, h.score])).toEqual([
      ['c', 7.5],
      ['a', 2.5],
    ]);

    fixture.store.failLexicalOn('docs', new UnavailableError('down'));
    await expect(
      fixture.service.search(searchRequest({ collections: ['docs', 'news'], rerank: 'never' }), ctx()),
    ).rejects.toBeInstanceOf(UnavailableError);
  });

  it('reports collections without a lexical side and searches them dense only, never failing', async () => {
    fixture = buildSearch();
    scriptDocs();
    fixture.store.scriptHits('old', [{ id: 'o', score: 0.55 }]).withoutLexical('old');

    const hybrid = await fixture.service.search(
      searchRequest({ collections: ['docs', 'old'], rerank: 'never' }),
      ctx(),
    );
    expect(hybrid).toMatchObject({ partial: false, failedCollections: [], lexicalUnavailable: ['old'] });
    expect(hybrid.hits.map((h) => `${h.collection}/${h.id}`)).toContain('old/o');

    const lexical = await fixture.service.search(searchRequest({ collections: ['old'], retrieval: 'lexical' }), ctx());
    expect(lexical).toMatchObject({ hits: [], partial: false, lexicalUnavailable: ['old'] });
  });

  it('exits early on the best dense score even when a lexical hit ranks first (score signal)', async () => {
    fixture = buildSearch({ earlyExitSignal: 'score' });
    fixture.store.scriptHits('docs', [{ id: 'close', score: 0.95 }]).scriptLexicalHits('docs', [
      { id: 'wordy', score: 40 },
      { id: 'close', score: 1 },
    ]);

    const result = await fixture.service.search(searchRequest(), ctx());

    expect(result).toMatchObject({ earlyExit: true, rerankOutcome: 'skipped_early_exit' });
    expect(fixture.reranker.calls).toHaveLength(0);

    // A huge BM25 score alone never skips the reranker, which sees the fused candidates.
    const lexical = await fixture.service.search(searchRequest({ retrieval: 'lexical' }), ctx());
    expect(lexical).toMatchObject({ earlyExit: false, rerankOutcome: 'reranked' });
    expect(fixture.reranker.calls[0]!.texts).toEqual(['text of wordy', 'text of close']);
  });

  it('does not run a lexical reranker in AUTO on hits lexical retrieval ranked; ALWAYS and dense-only hits still rerank', async () => {
    // The early exit off: these few documents agree between the two lists, and the agreement
    // would decide first (its own tests are above and in early-exit.test.ts).
    fixture = buildSearch({ earlyExitEnabled: false });
    fixture.reranker.lexical = true;
    scriptDocs();
    fixture.store.scriptHits('old', [{ id: 'o', score: 0.55 }]).withoutLexical('old');

    const auto = await fixture.service.search(searchRequest(), ctx());
    expect(auto).toMatchObject({ reranked: false, earlyExit: false, rerankOutcome: 'skipped_lexical' });
    expect(auto.hits.map((h) => h.id)).toEqual(['a', 'c', 'b']);
    expect(fixture.reranker.calls).toHaveLength(0);

    const always = await fixture.service.search(searchRequest({ rerank: 'always' }), ctx());
    expect(always).toMatchObject({ reranked: true, rerankOutcome: 'reranked' });

    const dense = await fixture.service.search(searchRequest({ retrieval: 'dense' }), ctx());
    expect(dense).toMatchObject({ reranked: true, rerankOutcome: 'reranked' });
    // A collection without a lexical side gives dense hits only: the lexical reranker adds what they lack.
    const old = await fixture.service.search(searchRequest({ collections: ['old'] }), ctx());
    expect(old).toMatchObject({ reranked: true, rerankOutcome: 'reranked', lexicalUnavailable: ['old'] });
    expect(fixture.reranker.calls).toHaveLength(3);
    const outcomes = fixture.metrics.rerankOutcomes;
    expect(await counterValue(outcomes, { outcome: 'skipped_lexical' })).toBe(1);
    expect(await counterValue(outcomes, { outcome: 'reranked' })).toBe(3);
  });

  it('with a model embedder, does not run the lexical reranker in AUTO on dense-only hits either (it measurably hurts them)', async () => {
    fixture = buildSearch({ lexicalRerankDense: false });
    fixture.reranker.lexical = true;
    scriptDocs();

    const dense = await fixture.service.search(searchRequest({ retrieval: 'dense' }), ctx());
    expect(dense).toMatchObject({ reranked: false, rerankOutcome: 'skipped_lexical' });
    expect(dense.hits.map((h) => h.id)).toEqual(['a', 'b']);
    const always = await fixture.service.search(searchRequest({ retrieval: 'dense', rerank: 'always' }), ctx());
    expect(always).toMatchObject({ reranked: true, rerankOutcome: 'reranked' });
    expect(fixture.reranker.calls).toHaveLength(1);
  });

  it('gives the reranker the fused candidates, lexical-only ones included', async () => {
    fixture = buildSearch();
    scriptDocs();

    const result = await fixture.service.search(searchRequest({ rerank: 'always' }), ctx());

    expect(fixture.reranker.calls[0]!.texts).toEqual(['text of a', 'text of c', 'text of b']);
    expect(result.reranked).toBe(true);
    expect(result.hits.find((h) => h.id === 'c')).toMatchObject({ lexicalRank: 1, lexicalScore: 7.5 });
  });

  it('records lexical search time per collection, fusion time and the mode that ran', async () => {
    fixture = buildSearch();
    scriptDocs();

    await fixture.service.search(searchRequest({ rerank: 'never' }), ctx());
    await fixture.service.search(searchRequest({ rerank: 'never', retrieval: 'dense' }), ctx());

    const m = fixture.metrics;
    expect(await observations(m.lexicalSearchDuration, { collection: 'docs' })).toBe(1);
    expect(await observations(m.fusionDuration, {})).toBe(2);
    expect(await counterValue(m.retrievalModes, { mode: 'hybrid' })).toBe(1);
    expect(await counterValue(m.retrievalModes, { mode: 'dense' })).toBe(1);
  });
});
