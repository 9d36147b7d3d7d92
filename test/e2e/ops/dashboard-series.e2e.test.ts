import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../../../harness/postgres';
import { dashboardQueries, metricNames } from '../../support/ops/dashboard-queries';
import { requireService } from '../../support/require-service';
import { type ServerProcess, startServerProcess } from '../../support/server-process';

/**
 * Series that exist only once there is something to label them with: one per collection,
 * created on its first search (a collection's series are bounded state: see
 * docs/reliability.md). Everything else a dashboard query reads is exported from start-up.
 */
const PER_COLLECTION = ['recall_rag_vector_search_duration_seconds', 'recall_rag_lexical_search_duration_seconds'];

/** Label values a panel breaks down by, each of which must be a series (at 0) before any traffic. */
const FIXED_SERIES = [
  'recall_rag_golden_answer_hits_total{match="exact"}',
  'recall_rag_golden_answer_hits_total{match="semantic"}',
  ...[
    'reranked',
    'skipped_early_exit',
    'skipped_lexical',
    'skipped_by_request',
    'skipped_deadline',
    'failed',
    'skipped_no_hits',
  ].map((outcome) => `recall_rag_rerank_outcome_total{outcome="${outcome}"}`),
  'recall_rag_early_exit_total',
  'recall_rag_skipped_stage_total{stage="dense_retrieval"}',
  'recall_rag_skipped_stage_total{stage="semantic_golden_answer"}',
  'recall_circuit_breaker_state{breaker="embedder",state="closed"}',
  'recall_circuit_breaker_state{breaker="postgres",state="closed"}',
];

/**
 * Issue 16: a fresh deployment's dashboard must not show empty panels because a counter has
 * no series until its first event (`rag_golden_answer_hits_total` had none until a hit).
 * Scrapes the built server before any call and finds every series the dashboard reads.
 */
describe('a fresh server exports every series the dashboard reads', () => {
  let server: ServerProcess;
  let dropDatabase: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    const db = await createTestDatabase(requireService('postgres'));
    dropDatabase = db.drop;
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-dashboard-series-'));
    server = await startServerProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir, PG_POOL_MIN: '1' });
  });

  afterAll(async () => {
    await server?.stop();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('has a sample of every metric every panel queries, and every fixed label value at 0', async () => {
    const exposed = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    const samples = exposed.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const names = new Set(
      dashboardQueries({ prefix: 'recall_', rateInterval: '1m' }).flatMap((q) => metricNames(q.expr)),
    );
    expect(names.size).toBeGreaterThanOrEqual(12);

    const missing = [...names].filter((name) => {
      const family = name.replace(/_(bucket|count|sum)$/, '');
      if (PER_COLLECTION.includes(family)) return !exposed.includes(`# TYPE ${family} `);
      return !samples.some((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
    });
    expect(missing).toEqual([]);

    const absent = FIXED_SERIES.filter((series) => {
      const [name, labels] = series.includes('{') ? series.split('{') : [series, ''];
      return !samples.some(
        (line) =>
          line.startsWith(labels ? `${name}{` : `${name} `) &&
          (labels ?? '')
            .replace('}', '')
            .split(',')
            .every((pair) => line.includes(pair)),
      );
    });
    expect(absent).toEqual([]);
  });
});
