import { performance } from 'node:perf_hooks';
import { median, quantile, round } from '../report/stats';

/** Stable names of the side-by-side ratios, as bench/budgets.json refers to them. */
export type RatioId =
  | 'search_vs_direct'
  | 'search_vs_direct_plus_round_trip'
  | 'fan_out_parallel_vs_one'
  | 'fan_out_parallel_vs_sequential'
  | 'list_facts_vs_raw_pg'
  | 'list_facts_vs_raw_pg_plus_round_trip'
  | 'raw_pg_named_vs_unnamed'
  | 'reranked_vs_early_exit'
  | 'early_exit_vs_reranked'
  | 'hybrid_vs_dense'
  | 'recall_facts_hybrid_vs_dense'
  | 'memory_reads_sql_compare_vs_baseline';

/** One side-by-side comparison: A and B measured in alternating pairs, ratio = A / B per pair. */
export interface RatioResult {
  id: RatioId;
  name: string;
  a: string;
  b: string;
  pairs: number;
  medianAMs: number;
  medianBMs: number;
  /** Median over the pairs of A / B (the figure to read). */
  medianRatio: number;
  p25Ratio: number;
  p75Ratio: number;
  /** Every pair's A / B, ascending (what the --check gate reads). */
  samples: number[];
  note?: string;
}

/** A comparison that could not run here, and why. */
export interface SkippedRatio {
  id?: RatioId;
  name: string;
  skipped: string;
}

/** The times of each side over the pairs that completed, and how many pairs failed. */
export interface PairedTimes {
  times: number[][];
  failed: number;
  firstError: string | undefined;
}

/**
 * Measures each pair one call after the other at concurrency 1, rotating which side goes
 * first (A B, B A, …) so that warm-up, caches and the machine's drift fall on both sides
 * equally. A pair in which a call fails is left out and counted.
 */
export async function paired(pairs: number, sides: Array<(i: number) => Promise<unknown>>): Promise<PairedTimes> {
  const times = sides.map(() => [] as number[]);
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < pairs; i++) {
    const order = sides.map((_, k) => (k + i) % sides.length);
    const pair: number[] = [];
    try {
      for (const k of order) {
        const t0 = performance.now();
        await sides[k]!(i);
        pair[k] = performance.now() - t0;
      }
      pair.forEach((ms, k) => times[k]!.push(ms));
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
  return { times, failed, firstError };
}

/** Which measured sides make A and B: one side, or the sum of several (a floor plus a round trip). */
export type Sides = [number | number[], number | number[]];

/** The ratio of two (sums of) sides over the measured pairs. */
export function ratioOf(
  id: RatioId,
  labels: { name: string; a: string; b: string },
  measured: PairedTimes,
  sides: Sides,
  note?: string,
): RatioResult | SkippedRatio {
  const { name } = labels;
  const sum = (side: number | number[]) => {
    const indices = typeof side === 'number' ? [side] : side;
    return measured.times[0]!.map((_, i) => indices.reduce((s, k) => s + measured.times[k]![i]!, 0));
  };
  const aMs = sum(sides[0]);
  const bMs = sum(sides[1]);
  if (aMs.length === 0) return { id, name, skipped: `every pair failed: ${measured.firstError}` };
  const ratios = aMs.map((v, i) => v / bMs[i]!).sort((x, y) => x - y);
  const failures =
    measured.failed > 0 ? `${measured.failed} pairs failed and were left out (${measured.firstError})` : '';
  const notes = [note, failures].filter(Boolean).join('; ');
  return {
    id,
    ...labels,
    pairs: ratios.length,
    medianAMs: round(median(aMs)),
    medianBMs: round(median(bMs)),
    medianRatio: round(quantile(ratios, 0.5), 2),
    p25Ratio: round(quantile(ratios, 0.25), 2),
    p75Ratio: round(quantile(ratios, 0.75), 2),
    samples: ratios.map((r) => round(r, 4)),
    ...(notes ? { note: notes } : {}),
  };
}
