import { type RankedList, fuseLists } from '../../../src/domain/fusion';

const hit = (id: string, score: number) => ({ id, score, text: `text of ${id}`, metadata: {} });

/** docs: dense a > b > c, lexical c > a (b has none of the query's words). */
const HYBRID: RankedList[] = [
  { collection: 'docs', retriever: 'dense', hits: [hit('a', 0.9), hit('b', 0.8), hit('c', 0.7)] },
  { collection: 'docs', retriever: 'lexical', hits: [hit('c', 12), hit('a', 5)] },
];

describe('fusion of hit lists', () => {
  it('sums 1 / (k + rank) over the lists a document is in (reciprocal rank fusion)', () => {
    const { hits, fusion } = fuseLists(HYBRID, { method: 'rrf', rrfK: 60, denseWeight: 0.5 });

    expect(fusion).toBe('rrf');
    expect(hits.map((h) => h.id)).toEqual(['a', 'c', 'b']);
    expect(hits[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(hits[1]!.score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(hits[2]!.score).toBeCloseTo(1 / 62, 12);
  });

  it('lets k decide how much the top ranks dominate', () => {
    const lists: RankedList[] = [
      { collection: 'docs', retriever: 'dense', hits: [hit('a', 0.9), hit('b', 0.8), hit('y', 0.75), hit('c', 0.7)] },
      { collection: 'docs', retriever: 'lexical', hits: [hit('c', 9), hit('b', 8), hit('x', 1)] },
    ];
    // b is second in both lists; c is first in one and fourth in the other: a large k favours
    // agreement (b), a small one a first place (c).
    expect(fuseLists(lists, { method: 'rrf', rrfK: 60, denseWeight: 0.5 }).hits[0]!.id).toBe('b');
    expect(fuseLists(lists, { method: 'rrf', rrfK: 1, denseWeight: 0.5 }).hits[0]!.id).toBe('c');
  });

  it('keeps each document once with its score and 1-based rank in each list', () => {
    const { hits } = fuseLists(HYBRID, { method: 'rrf', rrfK: 60, denseWeight: 0.5 });

    expect(hits.map((h) => [h.id, h.vectorScore, h.vectorRank, h.lexicalScore, h.lexicalRank])).toEqual([
      ['a', 0.9, 1, 5, 2],
      ['c', 0.7, 3, 12, 1],
      ['b', 0.8, 2, undefined, undefined],
    ]);
  });

  it('weights the min-max normalised scores of dense and lexical lists', () => {
    const { hits, fusion } = fuseLists(HYBRID, { method: 'weighted', rrfK: 60, denseWeight: 0.3 });

    // dense normalised: a 1, b 0.5, c 0; lexical normalised: c 1, a 0.
    expect(fusion).toBe('weighted');
    expect(hits.map((h) => [h.id, Number(h.score.toFixed(6))])).toEqual([
      ['c', 0.7],
      ['a', 0.3],
      ['b', 0.15],
    ]);
    expect(fuseLists(HYBRID, { method: 'weighted', rrfK: 60, denseWeight: 0.9 }).hits[0]!.id).toBe('a');
  });

  it('counts every hit of a list whose scores are all equal fully', () => {
    const lists: RankedList[] = [
      { collection: 'docs', retriever: 'dense', hits: [hit('a', 0.5)] },
      { collection: 'docs', retriever: 'lexical', hits: [hit('b', 3), hit('c', 3)] },
    ];
    const { hits } = fuseLists(lists, { method: 'weighted', rrfK: 60, denseWeight: 0.5 });

    expect(hits.map((h) => [h.id, h.score])).toEqual([
      ['a', 0.5],
      ['b', 0.5],
      ['c', 0.5],
    ]);
  });

  it('fuses every collection × retriever list, keeping the same id in two collections apart', () => {
    const lists: RankedList[] = [
      ...HYBRID,
      { collection: 'news', retriever: 'dense', hits: [hit('a', 0.4)] },
      { collection: 'news', retriever: 'lexical', hits: [hit('a', 20), hit('a', 30)] },
    ];
    const { hits } = fuseLists(lists, { method: 'rrf', rrfK: 60, denseWeight: 0.5 });

    // Each retriever's lists merged by score first — dense: docs/a .9, docs/b .8, docs/c .7,
    // news/a .4; lexical: news/a 30, docs/c 12, docs/a 5 — so news/a's first places in its own
    // small lists do not make it the best hit.
    expect(hits.map((h) => `${h.collection}/${h.id}`)).toEqual(['docs/a', 'news/a', 'docs/c', 'docs/b']);
    expect(hits[1]).toMatchObject({ lexicalScore: 30, lexicalRank: 1, vectorScore: 0.4, vectorRank: 4 });
    expect(hits[0]!.score).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(hits[1]!.score).toBeCloseTo(1 / 64 + 1 / 61, 12);
  });

  it('merges the lists of one retriever by score, unfused, as before hybrid search', () => {
    const lists: RankedList[] = [
      { collection: 'docs', retriever: 'dense', hits: [hit('a', 0.5), hit('b', 0.6), hit('a', 0.7)] },
      { collection: 'news', retriever: 'dense', hits: [hit('a', 0.65)] },
    ];
    const { hits, fusion } = fuseLists(lists, { method: 'rrf', rrfK: 60, denseWeight: 0.5 });

    expect(fusion).toBeUndefined();
    expect(hits.map((h) => [h.collection, h.id, h.score, h.vectorRank])).toEqual([
      ['docs', 'a', 0.7, 1],
      ['news', 'a', 0.65, 2],
      ['docs', 'b', 0.6, 3],
    ]);
  });

  it('orders equal scores by collection, then id, and never mixes up ids that read alike across collections', () => {
    const lists: RankedList[] = [
      { collection: 'b', retriever: 'dense', hits: [hit('x', 0.5), hit('a', 0.5)] },
      { collection: 'a', retriever: 'dense', hits: [hit('b\u0000x', 0.5), hit('z', 0.5)] },
      { collection: 'a\u0000b', retriever: 'dense', hits: [hit('x', 0.5)] },
    ];
    const { hits } = fuseLists(lists, { method: 'rrf', rrfK: 60, denseWeight: 0.5 });

    expect(hits.map((h) => [h.collection, h.id])).toEqual([
      ['a', 'b\u0000x'],
      ['a', 'z'],
      ['a\u0000b', 'x'],
      ['b', 'a'],
      ['b', 'x'],
    ]);
  });
});
