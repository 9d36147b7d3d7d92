import { averagePrecisionAt, meanScores, ndcgAt, recallAt, scoreQuery } from '../../../bench/eval/metrics';

const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('eval metrics (trec_eval definitions), on hand-computed cases', () => {
  // a, b, d relevant (gains 3, 2, 1); c judged not relevant; x unjudged.
  const graded = judged({ a: 3, b: 2, c: 0, d: 1 });
  const ranking = ['a', 'x', 'b', 'c', 'd'];

  it('nDCG@10 uses linear gains and log2(rank + 1) discounts', () => {
    const dcg = 3 + 2 / Math.log2(4) + 1 / Math.log2(6);
    const ideal = 3 + 2 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAt(ranking, graded, 10)).toBeCloseTo(dcg / ideal, 12);
    expect(ndcgAt(ranking, graded, 10)).toBeCloseTo(0.921248, 6);
  });

  it('nDCG@k cuts both the ranking and the ideal at k', () => {
    // @2: DCG = 3, ideal = 3 + 2/log2(3).
    expect(ndcgAt(ranking, graded, 2)).toBeCloseTo(3 / (3 + 2 / Math.log2(3)), 12);
  });

  it('AP@k averages precision at each relevant hit over ALL relevant documents', () => {
    expect(averagePrecisionAt(ranking, graded, 100)).toBeCloseTo((1 / 1 + 2 / 3 + 3 / 5) / 3, 12);
    // Only `a` is inside the first 2, yet the denominator stays 3.
    expect(averagePrecisionAt(ranking, graded, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('Recall@k is the share of relevant documents in the first k', () => {
    expect(recallAt(ranking, graded, 100)).toBe(1);
    expect(recallAt(ranking, graded, 2)).toBeCloseTo(1 / 3, 12);
  });

  it('a perfect ranking scores 1 on every measure; a ranking without relevant documents scores 0', () => {
    expect(scoreQuery(['a', 'b', 'd'], graded)).toEqual({ ndcg10: 1, ap100: 1, recall100: 1 });
    expect(scoreQuery(['c', 'x'], graded)).toEqual({ ndcg10: 0, ap100: 0, recall100: 0 });
    expect(scoreQuery([], graded)).toEqual({ ndcg10: 0, ap100: 0, recall100: 0 });
  });

  it('relevant documents that were not retrieved lower every measure', () => {
    const two = judged({ a: 1, b: 1 });
    expect(scoreQuery(['a'], two)).toEqual({
      ndcg10: expect.closeTo(1 / (1 + 1 / Math.log2(3)), 12),
      ap100: 0.5,
      recall100: 0.5,
    });
  });

  it('counts a document listed twice once, where it first appears', () => {
    expect(scoreQuery(['a', 'a', 'b', 'd'], graded)).toEqual(scoreQuery(['a', 'b', 'd'], graded));
  });

  it('a query without relevant judgments scores 0, not NaN', () => {
    expect(scoreQuery(['a'], judged({ a: 0 }))).toEqual({ ndcg10: 0, ap100: 0, recall100: 0 });
  });

  it('means over queries', () => {
    const means = meanScores([
      { ndcg10: 1, ap100: 0.5, recall100: 1 },
      { ndcg10: 0, ap100: 0.25, recall100: 0.5 },
    ]);
    expect(means).toEqual({ ndcg10: 0.5, map100: 0.375, recall100: 0.75 });
    expect(meanScores([])).toEqual({ ndcg10: 0, map100: 0, recall100: 0 });
  });
});
