import { rerankedAt } from '../../../bench/eval/sweep';
import { type SweepInput, earlyExitTable, skips } from '../../../bench/eval/sweep-tables';

describe('eval sweep', () => {
  it('reranks the first d fused hits by the reranker scores, ties in fused order, the rest after them as fused', () => {
    const fused = ['a', 'b', 'c', 'd', 'e'];
    const scores = { a: 0.1, b: 0.9, c: 0.1, d: 5 };
    expect(rerankedAt(fused, scores, 3)).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(rerankedAt(fused, scores, 4)).toEqual(['d', 'b', 'a', 'c', 'e']);
  });

  it('skips as the server does: score strictly above, the other signals at or above', () => {
    expect(skips('score', 0.9, 0.9)).toBe(false);
    expect(skips('agreement@3', 1 / 3, 0.33)).toBe(true);
    expect(skips('agreement@3', undefined, 0)).toBe(false);
  });

  it('takes the fused nDCG on skipped queries and the reranked one on the others', () => {
    const input: SweepInput = {
      dataset: 'd',
      system: 's',
      depth: 20,
      cells: [
        { signals: { margin: 0.9 }, fusedNdcg: 0.5, rerankedNdcg: () => 1 },
        { signals: { margin: 0.1 }, fusedNdcg: 0.2, rerankedNdcg: () => 1 },
      ],
    };
    const row = earlyExitTable([input], { margin: [0.5] }, 20).split('\n')[2];
    // Skips one of two (50 %); AUTO (0.5 + 1) / 2 against always (1 + 1) / 2.
    expect(row).toBe('| margin | 0.5 | 50 % / 0.750 | 50 % | 0.750 |');
  });
});
