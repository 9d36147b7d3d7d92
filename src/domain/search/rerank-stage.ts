import { type CallContext, remainingMs } from '../context';
import { RecallError, defined } from '../errors';
import type { Reranker } from '../ports';
import { type EarlyExitRule, isConfident } from './early-exit';
import { runWithTimeout } from './run-with-timeout';
import { type SearchLogger, type SearchMetrics, msSince, now } from './search-observability';
import type { RerankMode, RerankOutcome, SearchHit } from './search-types';

export interface RerankParams {
  /** Fused hits, best first. */
  hits: SearchHit[];
  /** The query text; without one (vector-only search) there is nothing to rerank against. */
  query: string | undefined;
  rerank: RerankMode;
  /** How many of the best hits the reranker sees; the others follow them in fused order. */
  candidates: number;
  earlyExit: EarlyExitRule;
  /** AUTO runs a lexical reranker on dense-only hits (SearchOptions.lexicalRerankDense). */
  lexicalRerankDense: boolean;
  rerankMinBudgetMs: number;
  reranker: Reranker;
  metrics?: SearchMetrics;
  logger: SearchLogger;
}

export interface RerankResult {
  /**
   * Best first: the reranked candidates, then the other hits in fused order (with their fused
   * scores); or every hit in fused order when not reranked.
   */
  hits: SearchHit[];
  outcome: RerankOutcome;
  earlyExit: boolean;
  rerankError?: string;
  rerankMs: number;
}

/**
 * Decides whether to rerank and does it. Order of decisions: no hits → skipped_no_hits;
 * NEVER or no query text → skipped_by_request; AUTO with the first stage confident by the
 * early-exit rule (early-exit.ts) → skipped_early_exit; AUTO with a lexical reranker (see
 * Reranker.lexical) and hits that lexical retrieval found, or dense-only hits where
 * `lexicalRerankDense` is off → skipped_lexical; less than
 * `rerankMinBudgetMs` of the deadline left → skipped_deadline. Otherwise the first
 * `candidates` hits are reranked and the rest follow in fused order. A failing, timed-out or
 * breaker-refused reranker leaves the fused order ('failed' with a generic reason), never a
 * failed search.
 */
export async function rerankStage(params: RerankParams, ctx: CallContext): Promise<RerankResult> {
  const { hits, query, rerank } = params;
  const skip = (outcome: RerankOutcome, earlyExit = false): RerankResult => ({ hits, outcome, earlyExit, rerankMs: 0 });

  if (hits.length === 0) return skip('skipped_no_hits');
  if (rerank === 'never' || query === undefined) return skip('skipped_by_request');
  if (rerank === 'auto' && isConfident(hits, params.earlyExit)) {
    params.metrics?.earlyExits.inc();
    return skip('skipped_early_exit', true);
  }
  const bm25Ranked = hits.some((hit) => hit.lexicalScore !== undefined);
  if (rerank === 'auto' && params.reranker.lexical && (bm25Ranked || !params.lexicalRerankDense)) {
    return skip('skipped_lexical');
  }
  if (remainingMs(ctx) < params.rerankMinBudgetMs) return skip('skipped_deadline');

  const candidates = hits.slice(0, params.candidates);
  const start = now();
  try {
    const texts = candidates.map((hit) => hit.text);
    const scores = await runWithTimeout(
      (child) => params.reranker.rerank(query, texts, child),
      ctx,
      Number.POSITIVE_INFINITY,
      'reranker',
    );
    if (scores.length !== texts.length || !scores.every(Number.isFinite)) {
      throw new MalformedScoresError(scores.length, texts.length);
    }
    // Array sort is stable: hits the reranker scores alike keep their fused order (a lexical
    // reranker gives 0 to every hit sharing no word with the query).
    const reranked = candidates
      .map((hit, i) => ({ ...hit, score: defined(scores[i], 'a score per candidate') }))
      .sort((a, b) => b.score - a.score);
    const rerankMs = msSince(start);
    params.metrics?.rerankingDuration.observe(rerankMs / 1000);
    return { hits: [...reranked, ...hits.slice(candidates.length)], outcome: 'reranked', earlyExit: false, rerankMs };
  } catch (error) {
    params.logger.warn({ err: error, reranker: params.reranker.name }, 'reranking failed; keeping the fused order');
    return { hits, outcome: 'failed', earlyExit: false, rerankError: genericReason(error), rerankMs: msSince(start) };
  }
}

class MalformedScoresError extends Error {
  constructor(got: number, expected: number) {
    super(`reranker returned ${got} scores for ${expected} texts`);
  }
}

/** A reason that says what kind of failure it was and nothing of the provider's details. */
function genericReason(error: unknown): string {
  if (error instanceof MalformedScoresError) return 'reranker returned a malformed response';
  if (error instanceof RecallError) {
    if (error.code === 'deadline_exceeded') return 'deadline exceeded while reranking';
    if (error.code === 'cancelled') return 'cancelled while reranking';
    if (error.code === 'unavailable') return 'reranker unavailable';
  }
  return 'reranker failed';
}
