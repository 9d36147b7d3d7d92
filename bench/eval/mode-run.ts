import { SearchRequest } from '../../src/gen/recall/v1/search';
import { summarize } from '../report/stats';
import type { RecallClients } from '../server/clients';
import type { EvalQuery, Qrels } from './dataset';
import type { EvalMode } from './eval-modes';
import { type FirstStageSignals, firstStageSignals } from './first-stage-signals';
import { type QueryScores, meanScores, scoreQuery } from './metrics';

/** One query's outcome in one mode. */
export type QueryResult = { id: string } & QueryScores & {
    /** Client-side latency, ms (absent when the search failed). */
    ms?: number;
    earlyExit?: boolean;
    reranked?: boolean;
    /** Modes that record: the ranking returned (document ids, best first). */
    ranking?: string[];
    /** `ranking` modes: each returned hit's score, in ranking order. */
    scores?: number[];
    /** `first-stage` modes: the early-exit signals of the fused hits. */
    signals?: FirstStageSignals;
    /** `reranked` modes: the reranker's score of each reranked hit, by id. */
    rerankScores?: Record<string, number>;
  };

/** What one mode scored on one system. */
export interface ModeScore {
  mode: string;
  /** The reranker configuration the mode ran on. */
  reranker?: string;
  ndcg10?: number;
  map100?: number;
  recall100?: number;
  /** Client-side Search latency at concurrency 1, ms. */
  latencyMs?: { p50: number; p95: number; mean: number };
  /** Share of searches the server skipped the reranker on (early exit). */
  earlyExitRate?: number;
  /** Share of searches it reranked. */
  rerankedRate?: number;
  /** Searches that failed (counted as empty rankings). */
  errors?: number;
  perQuery?: QueryResult[];
}

/** The eval's Search limit: the measures look at the first 100. */
export const SEARCH_LIMIT = 100;

/**
 * Runs every query through Search in `mode`, one at a time, and scores the rankings. A failed
 * search counts as an empty ranking (and in `errors`), so one bad query never ends the run.
 * `rerankDepth` says how many of a reranked response's first hits carry reranker scores.
 */
export async function runMode(
  clients: RecallClients,
  collection: string,
  mode: EvalMode,
  queries: EvalQuery[],
  qrels: Qrels,
  rerankDepth = 0,
): Promise<ModeScore> {
  const latencies: number[] = [];
  const perQuery: QueryResult[] = [];
  let earlyExits = 0;
  let reranked = 0;
  let errors = 0;
  for (const query of queries) {
    const request = SearchRequest.fromPartial({
      query: query.text,
      collections: [collection],
      limit: SEARCH_LIMIT,
      skipGoldenAnswer: true,
      rerank: mode.rerank,
      retrieval: mode.retrieval,
    });
    let ranking: string[] = [];
    let extra: Partial<QueryResult> = {};
    const started = performance.now();
    try {
      const response = await clients.search.search(request, { timeoutMs: 300_000 });
      const ms = performance.now() - started;
      latencies.push(ms);
      ranking = response.hits.map((hit) => hit.id);
      if (response.earlyExit) earlyExits++;
      if (response.reranked) reranked++;
      extra = { ms, earlyExit: response.earlyExit, reranked: response.reranked };
      if (mode.record) extra.ranking = ranking;
      if (mode.record === 'ranking') extra.scores = response.hits.map((hit) => hit.score);
      if (mode.record === 'first-stage') extra.signals = firstStageSignals(response.hits);
      if (mode.record === 'reranked' && response.reranked) {
        extra.rerankScores = Object.fromEntries(response.hits.slice(0, rerankDepth).map((h) => [h.id, h.score]));
      }
    } catch {
      errors++;
    }
    perQuery.push({ id: query.id, ...scoreQuery(ranking, qrels.get(query.id) ?? new Map()), ...extra });
  }
  const latency = summarize(latencies);
  return {
    mode: mode.name,
    reranker: mode.reranker,
    ...meanScores(perQuery),
    latencyMs: { p50: latency.p50, p95: latency.p95, mean: latency.mean },
    earlyExitRate: earlyExits / queries.length,
    rerankedRate: reranked / queries.length,
    errors,
    perQuery,
  };
}
