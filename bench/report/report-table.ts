import type { ModeResult } from './mode-result';
import { round } from './stats';

/** One row of the report's before/after table. */
export interface TableRow {
  metric: string;
  baseline: number | null;
  compare: number | null;
  unit: 'ms' | '%' | '/s';
  /** (compare − baseline) / baseline, as a percentage; null when not comparable. */
  changePercent: number | null;
  target: string;
  /** null: the report sets no target, or the figure could not be measured here. */
  met: boolean | null;
  note?: string;
}

const change = (b: number | null, c: number | null) =>
  b === null || c === null || b === 0 ? null : round(((c - b) / b) * 100, 1);

/**
 * The report's "expected improvements" rows with measured values. Latency targets are met
 * when compare is at least as much lower as the smaller end of the report's range.
 */
export function buildTable(baseline: ModeResult, compare: ModeResult): TableRow[] {
  const rows: TableRow[] = [];
  const reduction = (
    metric: string,
    b: number | null,
    c: number | null,
    unit: TableRow['unit'],
    target: string,
    atLeast: number,
    note?: string,
  ) => {
    const delta = change(b, c);
    rows.push({
      metric,
      baseline: b,
      compare: c,
      unit,
      changePercent: delta,
      target,
      met: delta === null ? null : delta <= -atLeast,
      ...(note ? { note } : {}),
    });
  };
  for (const p of ['p50', 'p95', 'p99'] as const) {
    reduction(
      `search pipeline ${p}`,
      baseline.latencyMs.search[p],
      compare.latencyMs.search[p],
      'ms',
      '−20 to −30%',
      20,
    );
  }
  const mean = (r: ModeResult) => r.latencyMs.search.mean;
  rows.push({
    metric: 'search pipeline mean',
    baseline: mean(baseline),
    compare: mean(compare),
    unit: 'ms',
    changePercent: change(mean(baseline), mean(compare)),
    target: '— (not in the report)',
    met: null,
    note: 'what the early exit saves shows here; the p50 stays a reranked query while fewer than half of the queries exit early',
  });
  const db = (r: ModeResult) => r.serverMetrics?.memoryReadQueries.meanMs ?? null;
  reduction(
    'DB query time, memory reads (mean)',
    db(baseline),
    db(compare),
    'ms',
    '−30 to −50%',
    30,
    'db_query_duration_seconds{operation=list_facts|list_conversations|get_user_stats}, sum / count',
  );
  const serial = (r: ModeResult) => r.serialMemoryReads?.meanMs ?? null;
  reduction(
    'DB query time, memory reads, one call at a time (mean)',
    serial(baseline),
    serial(compare),
    'ms',
    '−30 to −50%',
    30,
    "the same metric over 400 memory reads made one at a time after the load: the statement and its round trip, without the waiting that grows with a mode's throughput",
  );
  const exitRate = (r: ModeResult) => round((r.earlyExit.fromMetrics ?? r.earlyExit.fromResponses) * 100, 1);
  rows.push({
    metric: 'early-exit rate',
    baseline: exitRate(baseline),
    compare: exitRate(compare),
    unit: '%',
    changePercent: null,
    target: '> 30% of queries',
    met: exitRate(compare) > 30,
    note: 'rag_early_exit_total / searches',
  });
  const poolWait = (r: ModeResult) => r.serverMetrics?.poolWait?.p95Ms ?? null;
  const pw = poolWait(compare);
  rows.push({
    metric: 'pool wait p95',
    baseline: poolWait(baseline),
    compare: pw,
    unit: 'ms',
    changePercent: change(poolWait(baseline), pw),
    target: '< 10 ms',
    met: pw === null ? null : pw < 10,
    note:
      pw === null
        ? 'not measured: PGlite has no connection pool (one in-process session)'
        : 'db_pool_wait_seconds, estimated from histogram buckets',
  });
  const tput = (r: ModeResult) => r.load.throughputPerSecond;
  rows.push({
    metric: 'throughput (all calls)',
    baseline: tput(baseline),
    compare: tput(compare),
    unit: '/s',
    changePercent: change(tput(baseline), tput(compare)),
    target: 'higher',
    met: tput(compare) > tput(baseline),
  });
  const sps = (r: ModeResult) => r.load.searchesPerSecond;
  rows.push({
    metric: 'throughput (searches)',
    baseline: sps(baseline),
    compare: sps(compare),
    unit: '/s',
    changePercent: change(sps(baseline), sps(compare)),
    target: 'higher',
    met: sps(compare) > sps(baseline),
  });
  return rows;
}

const fmt = (value: number | null, unit: TableRow['unit']) =>
  value === null ? 'n/a' : unit === '%' ? `${value}%` : unit === '/s' ? `${value}/s` : `${value} ms`;
const fmtChange = (value: number | null) => (value === null ? '—' : `${value > 0 ? '+' : ''}${value}%`);
const fmtMet = (met: boolean | null) => (met === null ? 'n/a' : met ? 'yes' : 'NO');

/** The table as cells: header first. */
export function tableCells(rows: TableRow[]): string[][] {
  return [
    ['metric', 'baseline', 'compare', 'change', "report's target", 'met?'],
    ...rows.map((r) => [
      r.metric,
      fmt(r.baseline, r.unit),
      fmt(r.compare, r.unit),
      fmtChange(r.changePercent),
      r.target,
      fmtMet(r.met),
    ]),
  ];
}

/** Plain-text rendering with aligned columns, for the terminal. */
export function renderText(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Markdown rendering. */
export function renderMarkdown(cells: string[][]): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  return [line(cells[0]!), line(cells[0]!.map(() => '---')), ...cells.slice(1).map(line)].join('\n');
}
