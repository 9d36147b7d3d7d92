import { breakdown, meanEvidence, scoreEvidence } from '../../../bench/eval/memory/memory-metrics';
import { modeNotes } from '../../../bench/eval/memory/memory-system-run';
import type { MemoryModeScore } from '../../../bench/eval/memory/memory-system-run';

describe('memory eval measures', () => {
  // Evidence a (rank 3), b (rank 7) and c (rank 15); d is never returned.
  const ranking = ['x1', 'x2', 'a', 'x3', 'x4', 'x5', 'b', 'x6', 'x7', 'x8', 'x9', 'x10', 'x11', 'x12', 'c'];

  it('evidence recall@k is the share of evidence turns in the first k; hit@10 is any of them in the first 10', () => {
    expect(scoreEvidence(ranking, ['a', 'b', 'c', 'd'])).toEqual({
      recall5: 1 / 4,
      recall10: 2 / 4,
      recall20: 3 / 4,
      hit10: 1,
    });
    expect(scoreEvidence(ranking, ['c'])).toEqual({ recall5: 0, recall10: 0, recall20: 1, hit10: 0 });
    expect(scoreEvidence([], ['a'])).toEqual({ recall5: 0, recall10: 0, recall20: 0, hit10: 0 });
  });

  it('counts a turn returned twice once', () => {
    expect(scoreEvidence(['a', 'a', 'a', 'a', 'a', 'b'], ['a', 'b']).recall5).toBe(1);
  });

  it('averages per category, leaving adversarial questions (5) out of overall but in all', () => {
    const rows = [
      { category: 2, ...scoreEvidence(['a'], ['a']) },
      { category: 2, ...scoreEvidence(['x'], ['a']) },
      { category: 4, ...scoreEvidence(['a'], ['a', 'b']) },
      { category: 5, ...scoreEvidence(['a'], ['a']) },
    ];
    const result = breakdown(rows);
    expect(result.byCategory.temporal).toEqual({
      questions: 2,
      recall5: 0.5,
      recall10: 0.5,
      recall20: 0.5,
      hit10: 0.5,
    });
    expect(result.byCategory['single-hop']).toMatchObject({ questions: 1, recall10: 0.5, hit10: 1 });
    expect(result.byCategory.adversarial).toMatchObject({ questions: 1, recall10: 1 });
    expect(result.overall).toMatchObject({ questions: 3, recall10: (1 + 0 + 0.5) / 3, hit10: 2 / 3 });
    expect(result.all).toMatchObject({ questions: 4, recall10: (1 + 0 + 0.5 + 1) / 4 });
    expect(meanEvidence([])).toEqual({ questions: 0, recall5: 0, recall10: 0, recall20: 0, hit10: 0 });
  });
});

describe('memory eval: what the hits say about the retrieval mode', () => {
  const mode = (name: string, withLexicalScore: number, sameAsDense: number) =>
    ({ mode: name, hits: { total: 10, withVectorScore: 10, withLexicalScore }, sameAsDense }) as MemoryModeScore;

  it('says the server ignored a mode whose hits carry no lexical score and rank exactly as dense', () => {
    expect(modeNotes([mode('dense', 0, 1), mode('lexical', 0, 1), mode('hybrid', 4, 0.2)])).toEqual([
      "lexical: the server ignored retrieval=LEXICAL — no hit carried a lexical_score and every ranking is dense's",
    ]);
  });

  it('says nothing once the modes carry their scores', () => {
    expect(modeNotes([mode('dense', 0, 1), mode('lexical', 10, 0), mode('hybrid', 7, 0.1)])).toEqual([]);
  });
});
