import { evalRatios, evalTable } from '../../../bench/eval/eval-table';
import type { ModeScore } from '../../../bench/eval/mode-run';
import type { SystemResult } from '../../../bench/eval/system-run';

const mode = (name: string, ndcg10: number, p50: number, extra: Partial<ModeScore> = {}): ModeScore => ({
  mode: name,
  ndcg10,
  map100: 0.2,
  recall100: 0.5,
  latencyMs: { p50, p95: p50, mean: p50 },
  earlyExitRate: 0.25,
  rerankedRate: 0.5,
  errors: 0,
  ...extra,
});
const system = (modes: ModeScore[]): SystemResult => ({
  system: 'sys',
  backends: {},
  ingest: { documents: 1, ms: 1 },
  modes,
  problems: [],
});
const NOT_YET = { mode: 'hybrid', unavailable: 'not available: SearchRequest has no `retrieval` field yet' };

describe('eval table and ratios', () => {
  it('without hybrid: only the early exit ratio, against dense + rerank', () => {
    const ratios = evalRatios([
      system([mode('dense', 0.3, 4), mode('dense + rerank', 0.4, 30), NOT_YET, mode('AUTO (default)', 0.36, 20)]),
    ]);
    expect(ratios).toEqual([{ system: 'sys', ratio: 'nDCG@10 AUTO / dense + rerank', value: expect.closeTo(0.9, 12) }]);
  });

  it('with hybrid: its latency against dense, AUTO against hybrid + rerank, and the early exit alone on dense', () => {
    const ratios = evalRatios([
      system([
        mode('dense', 0.3, 4),
        mode('dense + rerank', 0.4, 30),
        mode('hybrid', 0.45, 5),
        mode('hybrid + rerank', 0.5, 35),
        mode('dense, AUTO', 0.38, 25),
        mode('AUTO (default)', 0.45, 20),
      ]),
    ]);
    expect(ratios.map((r) => [r.ratio, r.value])).toEqual([
      ['p50 latency hybrid / dense', 1.25],
      ['nDCG@10 AUTO / hybrid + rerank', 0.9],
      ['nDCG@10 dense, AUTO / dense + rerank', expect.closeTo(0.95, 12)],
    ]);
    // Both AUTO rows show their reranked and early-exit shares; the others leave them blank.
    const rows = evalTable({ ndcg10: 0.37, map100: 0.3, recall100: 0.74 }, [
      system([mode('dense', 0.3, 4), mode('dense, AUTO', 0.38, 25)]),
    ]).split('\n');
    expect(rows[3]).toMatch(/\| {2}\| {2}\|$/);
    expect(rows[4]).toMatch(/\| 50\.0 % \| 25\.0 % \|$/);
  });

  it('prints unavailable modes as such, the anchor first, and the reranked and early exit rates on AUTO only', () => {
    const table = evalTable({ ndcg10: 0.37, map100: 0.3, recall100: 0.74 }, [
      system([mode('dense', 0.3, 4), NOT_YET, mode('AUTO (default)', 0.36, 20)]),
    ]);
    const lines = table.split('\n');
    expect(lines[2]).toBe('| BM25 anchor (bm25s, stemmed) | lexical | 0.370 | 0.300 | 0.740 | | | |');
    expect(lines[3]).toBe('| sys | dense | 0.300 | 0.200 | 0.500 | 4.0 |  |  |');
    expect(lines[4]).toContain('| sys | hybrid | not available');
    expect(lines[5]).toBe('| sys | AUTO (default) | 0.360 | 0.200 | 0.500 | 20.0 | 50.0 % | 25.0 % |');
  });
});
