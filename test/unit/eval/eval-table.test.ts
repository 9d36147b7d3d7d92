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
describe('eval table and ratios', () => {
  it('puts hybrid against the better of its retrievers, its latency against dense, and AUTO against always per reranker', () => {
    const ratios = evalRatios([
      system([
        mode('dense', 0.3, 4),
        mode('lexical', 0.4, 3),
        mode('hybrid', 0.44, 5),
        mode('hybrid + built-in', 0.42, 6),
        mode('AUTO, built-in', 0.42, 6),
        mode('hybrid + cross-encoder', 0.5, 400),
        mode('AUTO, cross-encoder', 0.495, 100),
      ]),
    ]);
    expect(ratios.map((r) => [r.ratio, r.value])).toEqual([
      ['nDCG@10 hybrid / best of dense and lexical', expect.closeTo(1.1, 12)],
      ['p50 latency hybrid / dense', 1.25],
      ['nDCG@10 AUTO / hybrid + built-in', 1],
      ['p50 latency AUTO / hybrid + built-in', 1],
      ['nDCG@10 AUTO / hybrid + cross-encoder', expect.closeTo(0.99, 12)],
      ['p50 latency AUTO / hybrid + cross-encoder', 0.25],
    ]);
  });

  it('leaves out a ratio whose modes did not both run', () => {
    expect(evalRatios([system([mode('dense', 0.3, 4), mode('AUTO, built-in', 0.36, 20)])])).toEqual([]);
  });

  it('prints the anchor first, and the reranked and early-exit shares on AUTO rows only', () => {
    const table = evalTable({ ndcg10: 0.37, map100: 0.3, recall100: 0.74 }, [
      system([mode('dense', 0.3, 4), mode('AUTO, cross-encoder', 0.36, 20)]),
    ]);
    const lines = table.split('\n');
    expect(lines[2]).toBe('| BM25 anchor (bm25s, stemmed) | lexical | 0.370 | 0.300 | 0.740 | | | | |');
    expect(lines[3]).toBe('| sys | dense | 0.300 | 0.200 | 0.500 | 4.0 | 4.0 |  |  |');
    expect(lines[4]).toBe('| sys | AUTO, cross-encoder | 0.360 | 0.200 | 0.500 | 20.0 | 20.0 | 50.0 % | 25.0 % |');
  });
});
