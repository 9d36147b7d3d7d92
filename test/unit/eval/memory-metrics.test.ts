import type { MemoryAnchorResult } from '../../../bench/eval/memory/memory-anchor';
import { breakdown, meanEvidence, scoreEvidence } from '../../../bench/eval/memory/memory-metrics';
import { modeNotes } from '../../../bench/eval/memory/memory-system-run';
import type { MemorySystemResult } from '../../../bench/eval/memory/memory-system-run';
import type { MemoryModeScore } from '../../../bench/eval/memory/memory-system-run';
import { memoryRatios } from '../../../bench/eval/memory/memory-table';

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

describe('memory eval ratios', () => {
  const scores = (recall10: number, temporal: number) => ({
    overall: { questions: 1, recall5: 0, recall10, recall20: 0, hit10: 0 },
    byCategory: { temporal: { questions: 1, recall5: 0, recall10: temporal, recall20: 0, hit10: 0 } },
  });
  const mode = (name: string, recall10: number, temporal: number, p50: number) => ({
    mode: name,
    ...scores(recall10, temporal),
    latencyMs: { p50, p95: p50, mean: p50 },
  });

  it('compares hybrid with dense and with the anchor in the terms of the targets, skipping a zero base', () => {
    const anchor = scores(0.5, 0.8) as unknown as MemoryAnchorResult;
    const system = {
      system: 'm',
      modes: [mode('dense', 0.4, 0.6, 10), mode('lexical', 0.5, 0.8, 8), mode('hybrid', 0.6, 0.6, 12)],
    } as unknown as MemorySystemResult;
    const ratios = memoryRatios(anchor, [system]);
    expect(ratios.map((r) => [r.ratio, Number(r.value.toFixed(6))])).toEqual([
      ['recall@10 hybrid / dense', 1.5],
      ['recall@10 hybrid / BM25 anchor', 1.2],
      ['temporal recall@10 hybrid / dense', 1],
      ['p50 latency hybrid / dense', 1.2],
    ]);
    const zero = {
      system: 'z',
      modes: [mode('dense', 0, 0, 10), mode('hybrid', 0, 0, 10)],
    } as unknown as MemorySystemResult;
    expect(memoryRatios(anchor, [zero]).map((r) => r.ratio)).toEqual([
      'recall@10 hybrid / BM25 anchor',
      'p50 latency hybrid / dense',
    ]);
  });
});
