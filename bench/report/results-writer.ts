import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bothMarkdown, modeMarkdown, seriesLabel } from './markdown-summary';
import type { ModeResult, SeriesName } from './mode-result';
import type { TableRow } from './report-table';
import { latencyCdfSvg } from './svg-chart';

/** Files written for one mode or for a --both run. */
export interface WrittenFiles {
  json: string;
  markdown: string;
  charts: string[];
}

/** A timestamp usable in file names (UTC, no colons). */
export function fileStamp(date = new Date()): string {
  return date
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

const CHART_SERIES: SeriesName[] = [
  'search_near_exact',
  'search_vague',
  'list_facts',
  'list_conversations',
  'get_user_stats',
];

/** Writes `<stamp>-<mode>.json`, `.svg` (latency CDF) and `.md` into `dir`. */
export function writeModeResult(dir: string, stamp: string, result: ModeResult): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${stamp}-${result.mode}`);
  const chart = `${base}.svg`;
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    chart,
    latencyCdfSvg(
      `${result.mode}: client-side latency CDF`,
      CHART_SERIES.map((name) => ({ label: seriesLabel(name), ladderMs: result.percentileLadderMs[name] })),
    ),
  );
  writeFileSync(`${base}.md`, modeMarkdown(result, path.basename(chart)));
  return { json: `${base}.json`, markdown: `${base}.md`, charts: [chart] };
}

/** Writes `<stamp>-both.json` (table, ratios, the two modes' files) and `<stamp>-both.md` with a combined chart. */
export function writeBothResult(
  dir: string,
  stamp: string,
  baseline: ModeResult,
  compare: ModeResult,
  rows: TableRow[],
): WrittenFiles {
  const base = path.join(dir, `${stamp}-both`);
  const searchChart = `${base}-search.svg`;
  writeFileSync(
    searchChart,
    latencyCdfSvg('Search latency: baseline vs compare', [
      { label: 'baseline, all', ladderMs: baseline.percentileLadderMs.search },
      { label: 'compare, all', ladderMs: compare.percentileLadderMs.search },
      { label: 'baseline, near-exact', ladderMs: baseline.percentileLadderMs.search_near_exact },
      { label: 'compare, near-exact', ladderMs: compare.percentileLadderMs.search_near_exact },
      { label: 'baseline, vague', ladderMs: baseline.percentileLadderMs.search_vague },
      { label: 'compare, vague', ladderMs: compare.percentileLadderMs.search_vague },
    ]),
  );
  const summary = {
    schema: compare.schema,
    kind: 'both',
    machine: compare.machine,
    versions: compare.versions,
    options: compare.options,
    backends: compare.backends,
    table: rows,
    ratios: compare.ratios,
    modes: { baseline: `${stamp}-baseline.json`, compare: `${stamp}-compare.json` },
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(
    `${base}.md`,
    bothMarkdown(baseline, compare, rows, {
      baseline: `${stamp}-baseline.svg`,
      compare: `${stamp}-compare.svg`,
      search: path.basename(searchChart),
    }),
  );
  return { json: `${base}.json`, markdown: `${base}.md`, charts: [searchChart] };
}
