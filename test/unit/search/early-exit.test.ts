import {
  AGREEMENT_DEPTH,
  DEFAULT_EARLY_EXIT,
  type EarlyExitRule,
  confidence,
  denseMargin,
  isConfident,
  topAgreement,
} from '../../../src/domain/search/early-exit';
import type { SearchHit } from '../../../src/domain/search/search-types';
import { buildSearch, ctx, searchRequest } from './search-fixture';

/** Fused hits from two rankings: ids in dense order and in lexical order, dense scores by rank. */
function hitsOf(dense: string[], lexical: string[], denseScores = dense.map((_, i) => 0.6 - i * 0.01)): SearchHit[] {
  const ids = [...new Set([...dense, ...lexical])];
  return ids.map((id) => {
    const d = dense.indexOf(id);
    const l = lexical.indexOf(id);
    return {
      id,
      collection: 'docs',
      text: id,
      score: 0,
      metadata: {},
      ...(d >= 0 ? { vectorRank: d + 1, vectorScore: denseScores[d]! } : {}),
      ...(l >= 0 ? { lexicalRank: l + 1, lexicalScore: 10 - l } : {}),
    };
  });
}

const agreement = (threshold: number): EarlyExitRule => ({ enabled: true, signal: 'agreement', threshold });

describe('early-exit rule', () => {
  it('measures agreement as the share of the dense top k also in the lexical top k', () => {
    const dense = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(AGREEMENT_DEPTH).toBe(3);
    expect(topAgreement(hitsOf(dense, ['e', 'd', 'c', 'b', 'a']), 5)).toBe(1);
    expect(topAgreement(hitsOf(dense, ['a', 'b', 'c', 'x', 'y']), 5)).toBe(0.6);
    expect(topAgreement(hitsOf(dense, ['v', 'w', 'x', 'y', 'z']), 5)).toBe(0);
  });

  it('skips at or above the agreement threshold, reranks below it', () => {
    const dense = ['a', 'b', 'c', 'd', 'e'];
    // Two of the three first hits shared: 2/3.
    const twoOfThree = hitsOf(dense, ['a', 'x', 'b', 'c', 'y']);
    expect(isConfident(twoOfThree, agreement(0.6))).toBe(true);
    expect(isConfident(twoOfThree, agreement(0.8))).toBe(false);
    expect(isConfident(twoOfThree, { ...agreement(0.6), enabled: false })).toBe(false);
  });

  it('has no agreement to go on with one retriever alone', () => {
    expect(confidence(hitsOf(['a', 'b', 'c', 'd', 'e'], []), 'agreement')).toBeUndefined();
    expect(confidence(hitsOf([], ['a', 'b', 'c', 'd', 'e']), 'agreement')).toBeUndefined();
    expect(isConfident(hitsOf(['a', 'b', 'c'], []), agreement(0))).toBe(false);
  });

  it('counts a short list against the full depth (few documents hold the query words)', () => {
    // Regression: Milvus Lite drops stop words, so an exact match's lexical list held two
    // hits, and the agreement was unknown instead of the one shared first hit.
    expect(confidence(hitsOf(['a', 'b', 'c'], ['a', 'x']), 'agreement')).toBeCloseTo(1 / 3, 10);
    expect(
      isConfident(hitsOf(['a', 'b', 'c'], ['a']), { ...agreement(0), threshold: DEFAULT_EARLY_EXIT.threshold }),
    ).toBe(true);
    expect(isConfident(hitsOf(['a', 'b'], ['x']), { ...agreement(0), threshold: DEFAULT_EARLY_EXIT.threshold })).toBe(
      false,
    );
  });

  it("skips by default when one document is among both retrievers' first three", () => {
    const rule = { enabled: true, signal: 'agreement' as const, threshold: DEFAULT_EARLY_EXIT.threshold };
    expect(isConfident(hitsOf(['a', 'b', 'c'], ['x', 'y', 'c']), rule)).toBe(true);
    expect(isConfident(hitsOf(['a', 'b', 'c', 'd'], ['x', 'y', 'z', 'a']), rule)).toBe(false);
  });

  it('normalises the top-1 margin by the spread of the first ten, so the embedder scale drops out', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    const scores = [0.9, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.32, 0.31, 0.3];
    const margin = denseMargin(hitsOf(ids, [], scores), 10)!;
    expect(margin).toBeCloseTo(0.5);
    // The same ranking from a model with scores squeezed into [0.75, 0.78] has the same margin.
    const squeezed = scores.map((s) => 0.75 + s / 20);
    expect(denseMargin(hitsOf(ids, [], squeezed), 10)).toBeCloseTo(margin);
    expect(
      denseMargin(
        hitsOf(
          ids,
          [],
          ids.map(() => 0.5),
        ),
        10,
      ),
    ).toBe(0);
    expect(denseMargin(hitsOf(ids.slice(0, 9), []), 10)).toBeUndefined();
  });

  it('keeps the report rule for the score signal: strictly above the threshold', () => {
    const hits = hitsOf(['a'], [], [0.9]);
    expect(isConfident(hits, { enabled: true, signal: 'score', threshold: 0.9 })).toBe(false);
    expect(isConfident(hits, { enabled: true, signal: 'score', threshold: 0.89 })).toBe(true);
  });

  describe('through a search', () => {
    let fixture: ReturnType<typeof buildSearch>;
    afterEach(() => fixture.service.close());

    const script = (lexicalOrder: string[]) => {
      const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
      fixture.store
        .scriptHits(
          'docs',
          ids.map((id, i) => ({ id, score: 0.5 - i / 100 })),
        )
        .scriptLexicalHits(
          'docs',
          lexicalOrder.map((id, i) => ({ id, score: 20 - i })),
        );
    };

    it('skips the reranker in AUTO when dense and lexical agree on the top hits, whatever the cosine', async () => {
      fixture = buildSearch({ earlyExitSignal: 'agreement', earlyExitThreshold: 0.6 });
      script(['b', 'a', 'x', 'y', 'z']);

      const auto = await fixture.service.search(searchRequest({ rerank: 'auto' }), ctx());
      const always = await fixture.service.search(searchRequest({ rerank: 'always' }), ctx());

      expect(auto).toMatchObject({ earlyExit: true, reranked: false, rerankOutcome: 'skipped_early_exit' });
      expect(always).toMatchObject({ earlyExit: false, reranked: true });
      expect(fixture.reranker.calls).toHaveLength(1);
    });

    it('reranks in AUTO when the two retrievers disagree', async () => {
      fixture = buildSearch({ earlyExitSignal: 'agreement', earlyExitThreshold: 0.6 });
      script(['a', 'v', 'w', 'x', 'y', 'z']);

      const auto = await fixture.service.search(searchRequest({ rerank: 'auto' }), ctx());

      expect(auto).toMatchObject({ earlyExit: false, reranked: true, rerankOutcome: 'reranked' });
    });

    it('reranks a dense-only search in AUTO: agreement needs both retrievers', async () => {
      fixture = buildSearch({ earlyExitSignal: 'agreement', earlyExitThreshold: 0 });
      script(['a', 'b', 'c', 'd', 'e']);

      const dense = await fixture.service.search(searchRequest({ retrieval: 'dense' }), ctx());

      expect(dense).toMatchObject({ earlyExit: false, rerankOutcome: 'reranked' });
    });
  });
});
