import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseBenchArgs } from '../../../bench/cli-options';
import { type BudgetFile, checkBudgets, parseBudgetFile } from '../../../bench/ratios/budget-check';
import type { RatioId, RatioResult, SkippedRatio } from '../../../bench/ratios/paired';

function ratio(id: RatioId, samples: number[]): RatioResult {
  return {
    id,
    name: id,
    a: 'a',
    b: 'b',
    pairs: samples.length,
    medianAMs: 1,
    medianBMs: 1,
    medianRatio: 0,
    p25Ratio: 0,
    p75Ratio: 0,
    samples,
  };
}

const budgets: BudgetFile = { budgets: { search_vs_direct: { max: 1.5 }, list_facts_vs_raw_pg: { max: 3 } } };

describe('the performance gate (bench --check)', () => {
  it('passes while each lower quartile is within its budget, even when slow outliers push the median and upper quartile over', () => {
    // Lower quartile 1.4 (type-7 interpolation over 1.2, 1.4, 1.4, 3, 9): the loaded pairs above it do not fail the build.
    const { rows, passed } = checkBudgets(
      [ratio('search_vs_direct', [9, 1.4, 3, 1.2, 1.4]), ratio('list_facts_vs_raw_pg', [2, 2.5, 2.9, 3])],
      budgets,
    );
    expect(passed).toBe(true);
    expect(rows.map((r) => [r.id, r.p25, r.verdict])).toEqual([
      ['search_vs_direct', 1.4, 'pass'],
      ['list_facts_vs_raw_pg', 2.38, 'pass'],
    ]);
    expect(rows[0]).toMatchObject({ median: 1.4, p75: 3, budget: 1.5 });
  });

  it('fails when one lower quartile exceeds its budget, naming that ratio', () => {
    const { rows, passed } = checkBudgets(
      [ratio('search_vs_direct', [1.6, 1.7, 1.8, 2]), ratio('list_facts_vs_raw_pg', [1, 1, 1, 1])],
      budgets,
    );
    expect(passed).toBe(false);
    expect(rows.filter((r) => r.verdict === 'FAIL').map((r) => r.id)).toEqual(['search_vs_direct']);
  });

  it('a lower quartile exactly at the budget passes', () => {
    expect(
      checkBudgets([ratio('search_vs_direct', [1.5, 1.5, 1.5])], { budgets: { search_vs_direct: { max: 1.5 } } })
        .passed,
    ).toBe(true);
  });

  it('skips a ratio this configuration cannot measure, but fails one whose pairs all failed or that is missing', () => {
    const unreachable: SkippedRatio = { id: 'list_facts_vs_raw_pg', name: 'x', skipped: 'no PostgreSQL URL: PGlite …' };
    const broken: SkippedRatio = { id: 'search_vs_direct', name: 'y', skipped: 'every pair failed: UNAVAILABLE' };
    const skippedOnly = checkBudgets([ratio('search_vs_direct', [1]), unreachable], budgets);
    expect(skippedOnly.passed).toBe(true);
    expect(skippedOnly.rows[1]).toMatchObject({ verdict: 'skipped', reason: expect.stringMatching(/PGlite/) });

    expect(checkBudgets([broken, unreachable], budgets).passed).toBe(false);
    expect(checkBudgets([unreachable], budgets).rows[0]).toMatchObject({ verdict: 'FAIL', reason: 'not measured' });
  });

  it('fails every budget when the whole ratio phase failed', () => {
    const phase: SkippedRatio = { name: 'side-by-side ratios', skipped: 'failed: recall exited' };
    const { rows, passed } = checkBudgets([phase], budgets);
    expect(passed).toBe(false);
    expect(rows.every((r) => r.verdict === 'FAIL' && r.reason === 'failed: recall exited')).toBe(true);
  });

  it('refuses a budgets file without a positive max, naming the ratio', () => {
    expect(() => parseBudgetFile('{"budgets":{"hybrid_vs_dense":{"max":0}}}')).toThrow(/budgets.hybrid_vs_dense.max/);
    expect(() => parseBudgetFile('{}')).toThrow(/"budgets"/);
  });

  it('the committed budgets parse and name only ratios the benchmark measures', () => {
    const file = parseBudgetFile(readFileSync(path.join(__dirname, '../../../bench/budgets.json'), 'utf8'));
    const known: RatioId[] = [
      'search_vs_direct',
      'search_vs_direct_plus_round_trip',
      'fan_out_parallel_vs_one',
      'fan_out_parallel_vs_sequential',
      'list_facts_vs_raw_pg',
      'list_facts_vs_raw_pg_plus_round_trip',
      'raw_pg_named_vs_unnamed',
      'reranked_vs_early_exit',
      'early_exit_vs_reranked',
      'hybrid_vs_dense',
      'recall_facts_hybrid_vs_dense',
    ];
    expect(Object.keys(file.budgets).filter((id) => !known.includes(id as RatioId))).toEqual([]);
  });

  it('--check runs the compare mode with a short load and more pairs, and takes no target', () => {
    expect(parseBenchArgs(['--check', '--quick'], 'out')).toMatchObject({
      check: true,
      modes: ['compare'],
      durationSeconds: 5,
      pairs: 200,
    });
    expect(parseBenchArgs(['--check', '--pairs', '50'], 'out')?.pairs).toBe(50);
    expect(() => parseBenchArgs(['--check', '--both'], 'out')).toThrow(/exactly one/);
    expect(() => parseBenchArgs(['--check', '--target', '127.0.0.1:1'], 'out')).toThrow(/--check/);
    expect(() => parseBenchArgs(['--compare', '--budgets', 'b.json'], 'out')).toThrow(/--budgets only/);
  });
});
