import { NotFoundError, UnavailableError } from '../../../../src/domain/errors';
import { normalizeQuestion } from '../../../../src/domain/search/golden-answers/normalize-question';
import { buildSearch, counterValue, ctx, searchRequest } from '../search-fixture';

const QUESTION = 'How do I reset my password?';
const basis = (x: number, y: number) => [x, y, ...Array.from({ length: 14 }, () => 0)];

describe('normalizeQuestion', () => {
  it('lower-cases, applies NFKC, collapses whitespace and strips trailing punctuation', () => {
    expect(normalizeQuestion('  How do I\treset   my PASSWORD ?! ')).toBe('how do i reset my password');
    expect(normalizeQuestion('ＡＢＣ…')).toBe('abc');
    expect(normalizeQuestion('Is 3.5 > 3?')).toBe('is 3.5 > 3');
  });
});

describe('golden answers in a search', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  const withAnswer = async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', [{ id: 'doc', score: 0.5 }]);
    fixture.embedder.pin(QUESTION, basis(1, 0));
    const { answer } = await fixture.service.upsertGoldenAnswer(
      { question: QUESTION, answer: 'Use the reset link.', sources: ['kb/12'] },
      ctx(),
    );
    fixture.embedder.calls.length = 0;
    return answer;
  };

  it('matches exactly on the normalised question, alongside the hits', async () => {
    const stored = await withAnswer();

    const result = await fixture.service.search(searchRequest({ query: '  how do i RESET my password ' }), ctx());

    expect(result.goldenAnswer).toEqual({
      id: stored.id,
      question: QUESTION,
      answer: 'Use the reset link.',
      sources: ['kb/12'],
      score: 1,
      match: 'exact',
    });
    expect(result.hits.map((h) => h.id)).toEqual(['doc']);
    expect(await counterValue(fixture.metrics.goldenAnswerHits, { match: 'exact' })).toBe(1);
  });

  it('matches semantically above the threshold, embedding the query once for both uses', async () => {
    const stored = await withAnswer();
    fixture.embedder.pin('forgot my login secret', basis(1, 0.2));

    const result = await fixture.service.search(searchRequest({ query: 'forgot my login secret' }), ctx());

    expect(result.goldenAnswer).toMatchObject({ id: stored.id, match: 'semantic' });
    expect(result.goldenAnswer?.score).toBeCloseTo(1 / Math.sqrt(1.04));
    expect(fixture.embedder.calls).toEqual([['forgot my login secret']]);
    expect(result.hits.map((h) => h.id)).toEqual(['doc']);
    expect(await counterValue(fixture.metrics.goldenAnswerHits, { match: 'semantic' })).toBe(1);
  });

  it('finds none below the threshold', async () => {
    await withAnswer();
    fixture.embedder.pin('something else entirely', basis(1, 1));

    const result = await fixture.service.search(searchRequest({ query: 'something else entirely' }), ctx());

    expect(result.goldenAnswer).toBeUndefined();
    expect(result.hits).toHaveLength(1);
  });

  it('returns an exact match alone, without embedding or searching, when asked for golden answers only', async () => {
    await withAnswer();

    const result = await fixture.service.search(searchRequest({ query: QUESTION, goldenAnswerOnly: true }), ctx());

    expect(result.goldenAnswer?.match).toBe('exact');
    expect(result.hits).toEqual([]);
    expect(fixture.embedder.calls).toEqual([]);
    expect(fixture.store.searchesOf('docs')).toBe(0);
  });

  it('returns a semantic match alone when asked for golden answers only', async () => {
    await withAnswer();
    fixture.embedder.pin('forgot my login secret', basis(1, 0.2));

    const result = await fixture.service.search(
      searchRequest({ query: 'forgot my login secret', goldenAnswerOnly: true }),
      ctx(),
    );

    expect(result.goldenAnswer?.match).toBe('semantic');
    expect(fixture.store.searchesOf('docs')).toBe(0);
  });

  it('searches as usual when asked for golden answers only and none matches', async () => {
    await withAnswer();

    const result = await fixture.service.search(searchRequest({ query: 'unrelated', goldenAnswerOnly: true }), ctx());

    expect(result.goldenAnswer).toBeUndefined();
    expect(result.hits.map((h) => h.id)).toEqual(['doc']);
  });

  it('does not look when skipped, nor for a vector-only search', async () => {
    await withAnswer();
    fixture.golden.calls.length = 0;

    await fixture.service.search(searchRequest({ query: QUESTION, skipGoldenAnswer: true }), ctx());
    await fixture.service.search(searchRequest({ query: undefined, vector: basis(1, 0) }), ctx());

    expect(fixture.golden.calls).toEqual([]);
    expect(fixture.store.searchesOf('_golden_answers')).toBe(0);
  });

  it('still searches when the golden-answer repository is down', async () => {
    await withAnswer();
    fixture.golden.failure = new UnavailableError('postgres down');

    const result = await fixture.service.search(searchRequest({ query: QUESTION }), ctx());

    expect(result.goldenAnswer).toBeUndefined();
    expect(result.hits).toHaveLength(1);
  });

  it('ignores an index entry whose answer was deleted behind its back', async () => {
    const stored = await withAnswer();
    await fixture.golden.delete(stored.id, ctx());
    fixture.embedder.pin('forgot my login secret', basis(1, 0.2));

    const result = await fixture.service.search(searchRequest({ query: 'forgot my login secret' }), ctx());
    await new Promise((resolve) => setImmediate(resolve));

    expect(result.goldenAnswer).toBeUndefined();
    expect(fixture.store.records('_golden_answers')).toEqual([]);
  });
});

describe('golden answer writes', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  it('stores the normalised question and indexes the question embedding under the answer id', async () => {
    fixture = buildSearch();

    const { answer, created } = await fixture.service.upsertGoldenAnswer(
      { question: 'What is RAG?', answer: 'Retrieval-augmented generation.', sources: [] },
      ctx(),
    );

    expect(created).toBe(true);
    expect(fixture.golden.all()[0]?.normalizedQuestion).toBe('what is rag');
    expect(fixture.store.records('_golden_answers')).toEqual([
      expect.objectContaining({
        id: answer.id,
        text: 'What is RAG?',
        metadata: expect.objectContaining({ golden_answer_id: answer.id }),
      }),
    ]);
  });

  it('keeps nothing in the database when the index write fails', async () => {
    fixture = buildSearch();
    fixture.store.failOn('_golden_answers', new UnavailableError('milvus down'));

    await expect(
      fixture.service.upsertGoldenAnswer({ question: 'What is RAG?', answer: 'x', sources: [] }, ctx()),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(fixture.golden.all()).toEqual([]);
  });

  it('restores the previous answer when a replacement cannot be indexed', async () => {
    fixture = buildSearch();
    const { answer } = await fixture.service.upsertGoldenAnswer(
      { question: 'Old?', answer: 'old', sources: [] },
      ctx(),
    );
    fixture.store.failOn('_golden_answers', new UnavailableError('milvus down'));

    await expect(
      fixture.service.upsertGoldenAnswer({ id: answer.id, question: 'New?', answer: 'new', sources: [] }, ctx()),
    ).rejects.toThrow('milvus down');
    expect(fixture.golden.all()).toEqual([expect.objectContaining({ id: answer.id, question: 'Old?', answer: 'old' })]);
  });

  it('deletes from both stores, then reports NOT_FOUND', async () => {
    fixture = buildSearch();
    const { answer } = await fixture.service.upsertGoldenAnswer({ question: 'Q?', answer: 'A', sources: [] }, ctx());

    await fixture.service.deleteGoldenAnswer(answer.id, ctx());

    expect(fixture.golden.all()).toEqual([]);
    expect(fixture.store.records('_golden_answers')).toEqual([]);
    await expect(fixture.service.deleteGoldenAnswer(answer.id, ctx())).rejects.toBeInstanceOf(NotFoundError);
  });
});
