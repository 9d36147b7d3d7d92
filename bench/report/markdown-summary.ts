import type { RatioResult, SkippedRatio } from '../ratios/ratios';
import { describeMachine } from './machine-info';
import type { ModeResult, SeriesName } from './mode-result';
import { type TableRow, renderMarkdown, tableCells } from './report-table';

const SERIES_LABELS: Record<SeriesName, string> = {
  search: 'Search (all)',
  search_near_exact: 'Search, near-exact queries',
  search_vague: 'Search, vague queries',
  list_facts: 'ListFacts (a page)',
  list_conversations: 'ListConversations (a page)',
  get_user_stats: 'GetUserStats',
};

/** Series label for charts and tables. */
export function seriesLabel(name: SeriesName): string {
  return SERIES_LABELS[name];
}

/** The ratios as table cells, header first. */
export function ratioCells(ratios: Array<RatioResult | SkippedRatio>): string[][] {
  return [
    ['comparison (A / B)', 'median A', 'median B', 'median of A/B', 'IQR of A/B', 'pairs'],
    ...ratios.map((r) =>
      'skipped' in r
        ? [r.name, '—', '—', 'skipped', r.skipped, '0']
        : [
            r.name,
            `${r.medianAMs} ms`,
            `${r.medianBMs} ms`,
            `${r.medianRatio}×`,
            `${r.p25Ratio}–${r.p75Ratio}`,
            String(r.pairs),
          ],
    ),
  ];
}

function ratioDetails(ratios: Array<RatioResult | SkippedRatio>): string {
  return ratios
    .filter((r): r is RatioResult => !('skipped' in r))
    .map((r) => `- **${r.name}** — A: ${r.a}; B: ${r.b}.${r.note ? ` ${r.note}.` : ''}`)
    .join('\n');
}

function latencyCells(result: ModeResult): string[][] {
  return [
    ['series', 'calls', 'p50', 'p95', 'p99', 'mean', 'max'],
    ...(Object.keys(SERIES_LABELS) as SeriesName[]).map((name) => {
      const s = result.latencyMs[name];
      return [SERIES_LABELS[name], String(s.count), `${s.p50}`, `${s.p95}`, `${s.p99}`, `${s.mean}`, `${s.max}`];
    }),
  ];
}

function describeRun(result: ModeResult): string[] {
  const o = result.options;
  const backends = Object.entries(result.backends).map(([k, v]) => `${k}: ${v}`);
  return [
    `- machine: ${describeMachine(result.machine)}`,
    `- backends: ${backends.join('; ')}`,
    `- recall ${result.versions.recall}; ${Object.entries(result.versions)
      .filter(([k]) => k !== 'recall')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `- mode switches: ${
      Object.entries(result.server.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'none (defaults)'
    }; memory indexes ${result.server.memoryIndexes}`,
    `- corpus: ${o.collections} collections × ${o.docsPerCollection} documents, ${o.queries} queries (${o.nearExactShare * 100}% near-exact), ${o.users} users × ${o.factsPerUser} facts and ${o.conversationsPerUser} conversations, seed ${o.seed}`,
    `- load: ${o.concurrency} concurrent callers, ${result.load.measuredSeconds} s measured after ${o.warmupSeconds} s warm-up, ${result.load.completed} calls (${result.load.throughputPerSecond}/s; ${result.load.searchesPerSecond} searches/s), error rate ${result.load.errorRate * 100}%`,
  ];
}

/** The Markdown summary of one mode, with its chart `chartFile` (an SVG next to it). */
export function modeMarkdown(result: ModeResult, chartFile: string): string {
  const m = result.serverMetrics;
  const lines = [
    `# recall benchmark — ${result.mode}`,
    '',
    `Run ${result.startedAt} → ${result.finishedAt}.`,
    '',
    ...describeRun(result),
    '',
    '## Client-side latency (ms)',
    '',
    renderMarkdown(latencyCells(result)),
    '',
    `![latency CDF](${chartFile})`,
    '',
    '## Server-side (recall /metrics, difference of two scrapes)',
    '',
  ];
  if (m) {
    lines.push(
      `- pipeline (rag_pipeline_duration_seconds): ${m.pipeline.count} searches, mean ${m.pipeline.meanMs} ms, p95 ≈ ${m.pipeline.p95Ms} ms (bucket estimate)`,
      `- memory reads (db_query_duration_seconds): mean ${m.memoryReadQueries.meanMs} ms, p95 ≈ ${m.memoryReadQueries.p95Ms} ms; ${Object.entries(
        m.memoryReadQueries.byOperation,
      )
        .map(([op, h]) => `${op} ${h.meanMs} ms (${h.count})`)
        .join(', ')}`,
      `- pool wait (db_pool_wait_seconds): ${m.poolWait ? `mean ${m.poolWait.meanMs} ms, p95 ≈ ${m.poolWait.p95Ms} ms over ${m.poolWait.count} acquisitions` : 'n/a (PGlite has no pool)'}`,
      `- reranking: ${m.reranking.count} calls, mean ${m.reranking.meanMs} ms; vector search per collection: mean ${m.vectorSearchPerCollection.meanMs} ms`,
      `- CPU: recall ${m.cpuCoresBusy} cores busy, the benchmark process ${result.load.benchCpuCoresBusy}; event-loop delay p50 ${m.eventLoopLagMs?.p50 ?? 'n/a'} ms, p99 ${m.eventLoopLagMs?.p99 ?? 'n/a'} ms (includes the monitor's 10 ms resolution)`,
      `- early exit: ${m.earlyExit.total} of ${m.earlyExit.searches} searches (${(m.earlyExit.rate * 100).toFixed(1)}%); from responses ${(result.earlyExit.fromResponses * 100).toFixed(1)}%; near-exact queries that exited ${(result.earlyExit.nearExactExited * 100).toFixed(1)}%`,
    );
  } else {
    lines.push('Not scraped (no metrics URL).');
  }
  if (Object.keys(result.load.errors).length > 0) {
    lines.push(
      '',
      `Errors: ${Object.entries(result.load.errors)
        .map(([k, n]) => `${k} × ${n}`)
        .join(', ')}`,
    );
  }
  if (result.ratios) {
    lines.push(
      '',
      '## Side-by-side ratios (paired, same run)',
      '',
      renderMarkdown(ratioCells(result.ratios)),
      '',
      ratioDetails(result.ratios),
    );
  }
  if (result.serverProblems.length > 0) {
    lines.push(
      '',
      '## What recall logged (warnings and errors)',
      '',
      ...result.serverProblems.slice(0, 10).map((p) => `- ${p}`),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The Markdown summary of a --both run: the report's table, the ratios and both charts. */
export function bothMarkdown(
  baseline: ModeResult,
  compare: ModeResult,
  rows: TableRow[],
  charts: { baseline: string; compare: string; search: string },
): string {
  const lines = [
    '# recall benchmark — baseline vs compare',
    '',
    ...describeRun(compare),
    `- baseline: ${Object.entries(baseline.server.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}, memory indexes ${baseline.server.memoryIndexes}`,
    '',
    "## The report's table, measured",
    '',
    renderMarkdown(tableCells(rows)),
    '',
    ...rows.filter((r) => r.note).map((r) => `- ${r.metric}: ${r.note}`),
    '',
    'Search latency is client side (the whole gRPC call). The reranker is a model server that waits',
    `${compare.options.rerankLatencyMs} ms per call: a MODEL of a remote cross-encoder, not a measurement of one.`,
    '',
    `![search latency, baseline vs compare](${charts.search})`,
    '',
  ];
  if (compare.ratios) {
    lines.push(
      '## Side-by-side ratios (paired, same run)',
      '',
      renderMarkdown(ratioCells(compare.ratios)),
      '',
      ratioDetails(compare.ratios),
      '',
    );
  }
  lines.push('## Per mode', '', `![baseline](${charts.baseline})`, '', `![compare](${charts.compare})`, '');
  return `${lines.join('\n')}\n`;
}
