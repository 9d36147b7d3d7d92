import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { status } from '@grpc/grpc-js';

const DIR = path.join(__dirname, '..', '..', '..', '.scratch', 'fault');

/**
 * Reports a scenario's measured figures: one line on stderr (`fault <scenario>: k=v …`) and
 * the whole object in `.scratch/fault/<scenario>.json`. Figures are reported, never asserted.
 */
export function reportFigures(scenario: string, figures: Record<string, unknown>): void {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(
    path.join(DIR, `${scenario}.json`),
    `${JSON.stringify({ scenario, at: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
  const line = Object.entries(figures)
    .filter(([, v]) => typeof v !== 'object' || v === null)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stderr.write(`fault ${scenario}: ${line}\n`);
}

/** The p-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to `digits` decimals, for readable figures. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A gRPC status code's name (`NO_STATUS` for a failure that carried none). */
export function codeName(code: number): string {
  return code === -1 ? 'NO_STATUS' : (status[code] ?? String(code));
}

/** How many of `items` fall under each key. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
