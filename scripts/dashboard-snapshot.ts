/**
 * The dashboard's picture without Grafana: starts recall (built) on a private PostgreSQL
 * cluster with Prometheus scraping it, drives it with the benchmark (`--compare --quick
 * --target`), then draws the dashboard's main panels from Prometheus `query_range` data.
 *
 *   npm run build && npx tsx scripts/dashboard-snapshot.ts [OUT.svg]   (default deploy/grafana/dashboard.svg)
 *
 * Needs what the ops test needs (scripts/prometheus-tools.sh install).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgresCluster } from '../harness/postgres-cluster';
import { startMonitoringStack } from '../test/support/ops/monitoring-stack';
import { type PanelData, dashboardSvg } from '../test/support/ops/panel-svg';
import { startServerProcess } from '../test/support/server-process';

const ROOT = path.join(__dirname, '..');
const STEP = 2;
const RATE = '10s';
const P = 'recall_';

const quantile = (q: number, metric: string) =>
  `histogram_quantile(${q}, sum by (le) (rate(${P}${metric}_bucket[${RATE}])))`;

/** The report's four panels plus pool wait and gRPC rate: the same queries as the dashboard JSON, variables substituted. */
const PANELS: Array<{ title: string; unit: PanelData['unit']; queries: Array<[string, string]> }> = [
  {
    title: 'RAG pipeline duration',
    unit: 'seconds',
    queries: [
      ['p50', quantile(0.5, 'rag_pipeline_duration_seconds')],
      ['p95', quantile(0.95, 'rag_pipeline_duration_seconds')],
      ['p99', quantile(0.99, 'rag_pipeline_duration_seconds')],
    ],
  },
  {
    title: 'Early exit and rerank outcomes',
    unit: 'ratio',
    queries: [
      [
        'early exits / searches',
        `sum(rate(${P}rag_early_exit_total[${RATE}])) / sum(rate(${P}rag_pipeline_duration_seconds_count[${RATE}]))`,
      ],
      ...(['reranked', 'skipped_lexical'] as const).map((outcome): [string, string] => [
        outcome,
        `sum(rate(${P}rag_rerank_outcome_total{outcome="${outcome}"}[${RATE}])) / sum(rate(${P}rag_pipeline_duration_seconds_count[${RATE}]))`,
      ]),
    ],
  },
  {
    title: 'Database pool utilisation',
    unit: 'ratio',
    queries: [['in use / open', `sum(${P}db_pool_size - ${P}db_pool_idle) / sum(${P}db_pool_size)`]],
  },
  {
    title: 'Database query duration (p95)',
    unit: 'seconds',
    queries: [['p95, all operations', quantile(0.95, 'db_query_duration_seconds')]],
  },
  {
    title: 'Database pool wait (p95)',
    unit: 'seconds',
    queries: [['p95 wait', quantile(0.95, 'db_pool_wait_seconds')]],
  },
  {
    title: 'gRPC calls per second',
    unit: 'count',
    queries: [['all methods', `sum(rate(grpc_server_handled_total[${RATE}]))`]],
  },
];

async function rangeQuery(prometheusUrl: string, expr: string, start: number, end: number) {
  const url = `${prometheusUrl}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${STEP}`;
  const body = (await (await fetch(url)).json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result[0]?.values.map(([t, v]) => [t, Number(v)] as [number, number]) ?? [];
}

async function main(out: string): Promise<void> {
  const pg = await startPostgresCluster();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-snapshot-'));
  const server = await startServerProcess({ DATABASE_URL: pg.adminUrl, DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const stack = await startMonitoringStack(Number(new URL(server.metricsUrl).port));
  try {
    const start = Date.now() / 1000;
    const bench = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        'bench/run.ts',
        '--compare',
        '--quick',
        '--target',
        server.grpcAddress,
        '--metrics-url',
        server.metricsUrl,
        '--skip-ratios',
        '--out',
        path.join(dataDir, 'bench'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DATABASE_URL: pg.adminUrl } },
    );
    if (bench.status !== 0) throw new Error(`the benchmark failed (exit ${bench.status})`);
    await new Promise((r) => setTimeout(r, 3_000));
    const end = Date.now() / 1000;
    const panels: PanelData[] = [];
    for (const panel of PANELS) {
      const series = [];
      for (const [label, expr] of panel.queries)
        series.push({ label, points: await rangeQuery(stack.prometheusUrl, expr, start, end) });
      panels.push({ title: panel.title, unit: panel.unit, series });
    }
    const minutes = ((end - start) / 60).toFixed(1);
    writeFileSync(
      out,
      dashboardSvg(
        `recall dashboard — ${minutes} min of \`npm run bench -- --compare --quick\`, from Prometheus query_range`,
        panels,
      ),
    );
    console.log(`wrote ${path.relative(ROOT, out)}`);
  } finally {
    await stack.stop();
    await server.stop();
    await pg.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main(path.resolve(process.argv[2] ?? path.join(ROOT, 'deploy', 'grafana', 'dashboard.svg'))).catch((error: unknown) => {
  console.error(`dashboard-snapshot: ${(error as Error).message}`);
  process.exitCode = 1;
});
