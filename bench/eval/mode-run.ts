import { SearchRequest } from '../../src/gen/recall/v1/search';
import type { RecallClients } from '../clients';
import { summarize } from '../stats';
import type { EvalQuery, Qrels } from './dataset';
import { type EvalMode, modeFields, unavailable } from './eval-modes';
import { type QueryScores, meanScores, scoreQuery } from './metrics';

/** What one mode scored on one system. */
export interface ModeScore {
  mode: string;
  /** Set when the mode could not run against this build: then the numbers are absent. */
  unavailable?: string;
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
  perQuery?: ({ id: string } & QueryScores)[];
}

/** The eval's Search limit: the measures look at the first 100. */
export const SEARCH_LIMIT = 100;

/**
 * Runs every query through Search in `mode`, one at a time, and scores the rankings. A failed
 * search counts as an empty ranking (and in `errors`), so one bad query never ends the run.
 */
export async function runMode(
  clients: RecallClients,
  collection: string,
  mode: EvalMode,
  queries: EvalQuery[],
  qrels: Qrels,
): Promise<ModeScore> {
  const reason = unavailable(mode);
  if (reason) return { mode: mode.name, unavailable: reason };
  const latencies: number[] = [];
  const perQuery: ({ id: string } & QueryScores)[] = [];
  let earlyExits = 0;
  let reranked = 0;
  let errors = 0;
  for (const query of queries) {
    const request = {
      query: query.text,
      vector: [],
      collections: [collection],
      limit: SEARCH_LIMIT,
      filters: [],
      userId: '',
      skipGoldenAnswer: true,
      goldenAnswerOnly: false,
      ...modeFields(mode),
    };
    let ranking: string[] = [];
    const started = performance.now();
    try {
      const response = await clients.search.search(SearchRequest.fromPartial(request), { timeoutMs: 60_000 });
      latencies.push(performance.now() - started);
      ranking = response.hits.map((hit) => hit.id);
      if (response.earlyExit) earlyExits++;
      if (response.reranked) reranked++;
    } catch {
      errors++;
    }
    perQuery.push({ id: query.id, ...scoreQuery(ranking, qrels.get(query.id) ?? new Map()) });
  }
  const latency = summarize(latencies);
  return {
    mode: mode.name,
    ...meanScores(perQuery),
    latencyMs: { p50: latency.p50, p95: latency.p95, mean: latency.mean },
    earlyExitRate: earlyExits / queries.length,
    rerankedRate: reranked / queries.length,
    errors,
    perQuery,
  };
}
