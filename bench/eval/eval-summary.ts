import type { AnchorScore } from './eval-table';
import type { ModeScore } from './mode-run';
import type { SystemResult } from './system-run';

/** One dataset's results, as the summary reads them. */
export interface DatasetResult {
  dataset: string;
  anchor: AnchorScore;
  systems: SystemResult[];
}

const f3 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(3));
const f2 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : `${x.toFixed(2)}×`);
const pct = (x: number | undefined) => (x === undefined ? '' : `${(x * 100).toFixed(0)} %`);
const mean = (xs: (number | undefined)[]) => {
  const defined = xs.filter((x): x is number => x !== undefined && !Number.isNaN(x));
  return defined.length === xs.length && xs.length > 0 ? defined.reduce((a, b) => a + b, 0) / xs.length : undefined;
};

/** Every (system, mode) pair in first-seen order. */
function rowKeys(results: DatasetResult[]): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const r of results) {
    for (const s of r.systems) for (const m of s.modes) seen.set(`${s.system}\0${m.mode}`, [s.system, m.mode]);
  }
  return [...seen.values()];
}

function modeOf(result: DatasetResult, system: string, mode: string): ModeScore | undefined {
  return result.systems.find((s) => s.system === system)?.modes.find((m) => m.mode === mode);
}

/** A table with a row per (system, mode), a column per dataset and their mean. */
function perDataset(
  results: DatasetResult[],
  value: (m: ModeScore) => number | undefined,
  format: (x: number | undefined) => string,
  anchor?: (a: AnchorScore) => number,
): string[] {
  const head = `| system | mode | ${results.map((r) => r.dataset).join(' | ')} | mean |`;
  const rows = [head, `| --- | --- | ${results.map(() => '---:').join(' | ')} | ---: |`];
  if (anchor) {
    const xs = results.map((r) => anchor(r.anchor));
    rows.push(`| BM25 anchor | lexical | ${xs.map(format).join(' | ')} | ${format(mean(xs))} |`);
  }
  for (const [system, mode] of rowKeys(results)) {
    const xs = results.map((r) => {
      const m = modeOf(r, system, mode);
      return m ? value(m) : undefined;
    });
    rows.push(`| ${system} | ${mode} | ${xs.map(format).join(' | ')} | ${format(mean(xs))} |`);
  }
  return rows;
}

/** The goals of the issue, per system and dataset, as ratios measured in the same run. */
function goals(results: DatasetResult[]): string[] {
  const systems = [...new Set(results.flatMap((r) => r.systems.map((s) => s.system)))];
  const lines = [`| goal | system | ${results.map((r) => r.dataset).join(' | ')} | mean |`];
  lines.push(`| --- | --- | ${results.map(() => '---:').join(' | ')} | ---: |`);
  const add = (goal: string, system: string, pick: (r: DatasetResult) => number | undefined, fmt = f2) => {
    const xs = results.map(pick);
    if (xs.every((x) => x === undefined)) return;
    lines.push(`| ${goal} | ${system} | ${xs.map(fmt).join(' | ')} | ${fmt(mean(xs))} |`);
  };
  for (const system of systems) {
    const n = (r: DatasetResult, mode: string) => modeOf(r, system, mode)?.ndcg10;
    const ratio = (a: number | undefined, b: number | undefined) =>
      a === undefined || b === undefined || b === 0 ? undefined : a / b;
    add('hybrid + cross-encoder / BM25 anchor ≥ 1.10', system, (r) =>
      ratio(n(r, 'hybrid + cross-encoder'), r.anchor.ndcg10),
    );
    add('hybrid / best of dense, lexical ≥ 1.00', system, (r) => {
      const [d, l] = [n(r, 'dense'), n(r, 'lexical')];
      return ratio(n(r, 'hybrid'), d === undefined || l === undefined ? undefined : Math.max(d, l));
    });
    for (const reranker of ['built-in', 'cross-encoder']) {
      const auto = (r: DatasetResult) => modeOf(r, system, `AUTO, ${reranker}`);
      const always = (r: DatasetResult) => modeOf(r, system, `hybrid + ${reranker}`);
      add(
        `AUTO, ${reranker}: reranks skipped ≥ 30 %`,
        system,
        (r) => {
          const a = auto(r);
          return a ? 1 - (a.rerankedRate ?? 0) : undefined;
        },
        pct,
      );
      add(`AUTO / always, ${reranker}: nDCG@10 ≥ 0.99`, system, (r) => ratio(auto(r)?.ndcg10, always(r)?.ndcg10));
      add(`AUTO / always, ${reranker}: p50 ≤ 0.70`, system, (r) =>
        ratio(auto(r)?.latencyMs?.p50, always(r)?.latencyMs?.p50),
      );
    }
    add('default (AUTO, built-in) / lexical ≥ 0.99', system, (r) => ratio(n(r, 'AUTO, built-in'), n(r, 'lexical')));
  }
  return lines;
}

/** The summary across datasets: nDCG@10, Recall@100 and p50/p95 per mode, then the goals. */
export function evalSummary(results: DatasetResult[]): string {
  const latency = (m: ModeScore) => m.latencyMs?.p50;
  const p95 = (m: ModeScore) => m.latencyMs?.p95;
  const ms = (x: number | undefined) => (x === undefined ? '' : x.toFixed(0));
  return [
    '### nDCG@10',
    '',
    ...perDataset(
      results,
      (m) => m.ndcg10,
      f3,
      (a) => a.ndcg10,
    ),
    '',
    '### Recall@100',
    '',
    ...perDataset(
      results,
      (m) => m.recall100,
      f3,
      (a) => a.recall100,
    ),
    '',
    '### p50 latency, ms',
    '',
    ...perDataset(results, latency, ms),
    '',
    '### p95 latency, ms',
    '',
    ...perDataset(results, p95, ms),
    '',
    '### Goals (ratios within this run)',
    '',
    ...goals(results),
  ].join('\n');
}
