import { quantile, round } from '../report/stats';
/**
 * The performance gate's decision (`npm run bench -- --check`): each budgeted side-by-side
 * ratio passes while the lower quartile of its per-pair samples stays within its budget.
 * The lower quartile, not the median, so that a loaded CI machine (which widens the spread
 * upwards) does not fail a build that did not get slower; a real slow-down moves the whole
 * distribution, its lower quartile with it.
 */
import type { RatioResult, SkippedRatio } from './paired';

/** One ratio's budget in bench/budgets.json. */
export interface RatioBudget {
  /** The largest lower quartile of the per-pair ratios that passes. */
  max: number;
  /** Why this figure: what was measured, when, on what. */
  basis?: string;
}

/** bench/budgets.json. */
export interface BudgetFile {
  /** How CI runs the gate (documentation). */
  command?: string;
  /** How the budgets were set (documentation). */
  basis?: string;
  budgets: Record<string, RatioBudget>;
}

/** How one budgeted ratio fared. */
export type Verdict = 'pass' | 'FAIL' | 'skipped';

/** One row of the gate's table. */
export interface CheckRow {
  id: string;
  name: string;
  median: number | undefined;
  p25: number | undefined;
  p75: number | undefined;
  budget: number;
  verdict: Verdict;
  /** Why it was skipped or failed without samples. */
  reason?: string;
}

/** Skip reasons that mean the comparison broke (not that this configuration cannot make it). */
const BROKEN = [/^every pair failed/, /^failed:/];

/**
 * Decides every budgeted ratio. A ratio this configuration cannot measure (e.g. raw pg on the
 * embedded default) is skipped; one whose every pair failed, or a failed ratio phase, fails.
 */
export function checkBudgets(
  ratios: ReadonlyArray<RatioResult | SkippedRatio>,
  file: BudgetFile,
): { rows: CheckRow[]; passed: boolean } {
  const phaseFailure = ratios.find(
    (r) => 'skipped' in r && r.id === undefined && BROKEN.some((b) => b.test(r.skipped)),
  );
  const rows = Object.entries(file.budgets).map(([id, budget]): CheckRow => {
    const ratio = ratios.find((r) => r.id === id);
    const base = { id, name: ratio?.name ?? id, budget: budget.max };
    const none = { median: undefined, p25: undefined, p75: undefined };
    if (!ratio || 'skipped' in ratio) {
      const reason = ratio && 'skipped' in ratio ? ratio.skipped : (phaseFailure as SkippedRatio | undefined)?.skipped;
      const broken = reason === undefined || BROKEN.some((b) => b.test(reason));
      return { ...base, ...none, verdict: broken ? 'FAIL' : 'skipped', reason: reason ?? 'not measured' };
    }
    const sorted = [...ratio.samples].sort((a, b) => a - b);
    if (sorted.length === 0) return { ...base, ...none, verdict: 'FAIL', reason: 'no samples' };
    const p25 = quantile(sorted, 0.25);
    return {
      ...base,
      median: round(quantile(sorted, 0.5), 2),
      p25: round(p25, 2),
      p75: round(quantile(sorted, 0.75), 2),
      verdict: p25 <= budget.max ? 'pass' : 'FAIL',
    };
  });
  return { rows, passed: rows.every((row) => row.verdict !== 'FAIL') };
}

/** The gate's table as cells, header first. */
export function checkCells(rows: readonly CheckRow[]): string[][] {
  const x = (v: number | undefined) => (v === undefined ? '—' : `${v}×`);
  return [
    ['ratio', 'median', 'IQR', 'lower quartile', 'budget', 'result'],
    ...rows.map((r) => [
      r.id,
      x(r.median),
      r.p25 === undefined ? '—' : `${r.p25}–${r.p75}`,
      x(r.p25),
      `≤ ${r.budget}×`,
      r.reason ? `${r.verdict} (${r.reason})` : r.verdict,
    ]),
  ];
}

/** Reads and checks a budgets file's shape; throws naming what is wrong. */
export function parseBudgetFile(text: string): BudgetFile {
  const parsed = JSON.parse(text) as Partial<BudgetFile>;
  if (!parsed || typeof parsed.budgets !== 'object' || parsed.budgets === null) {
    throw new Error('budgets file: "budgets" must be an object of ratio id → { max }');
  }
  for (const [id, budget] of Object.entries(parsed.budgets)) {
    if (typeof budget?.max !== 'number' || !Number.isFinite(budget.max) || budget.max <= 0) {
      throw new Error(`budgets file: budgets.${id}.max must be a positive number`);
    }
  }
  return parsed as BudgetFile;
}
