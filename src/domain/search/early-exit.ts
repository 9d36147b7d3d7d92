import type { SearchHit } from './search-types';

/**
 * What AUTO's early exit measures the first stage's confidence by:
 * - `score`: the best cosine similarity among the hits (the report's rule, threshold
 *   SEARCH_EARLY_EXIT_SCORE). Its scale belongs to the embedder: real models' top scores
 *   rarely pass 0.8, the built-in one's differ again, so no one threshold fits them all.
 * - `agreement`: the share of the dense list's first AGREEMENT_DEPTH hits that are also among
 *   the lexical list's first AGREEMENT_DEPTH — two independent retrievers finding the same
 *   documents. A share of ranks, so the same on every embedder and collection; it needs both
 *   retrievers (hybrid), and is absent otherwise (dense or lexical alone always reranks).
 *   It also never trusts a token-less query, which the lexical side cannot match.
 * - `margin`: the dense list's top-1 margin normalised by its spread over the first
 *   MARGIN_DEPTH hits, (s1 − s2) / (s1 − s_depth), in [0, 1]; blind to the embedder's scale.
 */
export type EarlyExitSignal = 'score' | 'agreement' | 'margin';

/** Every signal, for the configuration's check. */
export const EARLY_EXIT_SIGNALS: readonly EarlyExitSignal[] = ['score', 'agreement', 'margin'];

/** How many of each list's first hits `agreement` compares (the sweep compared 1, 3, 5 and 10). */
export const AGREEMENT_DEPTH = 3;

/** The rank whose score `margin` measures the spread against. */
export const MARGIN_DEPTH = 10;

/**
 * The early exit's defaults: skip when at least one document is among both retrievers' first
 * three. Chosen from the sweep over four collections and two embedders
 * (docs/retrieval-quality.md): it skipped 37–83 % of reranks at 0.98–1.04× always-rerank's
 * nDCG@10, where `score` skipped 0 % on one embedder and 97 % on the other, and `margin` cost
 * up to 5 %.
 */
export const DEFAULT_EARLY_EXIT: Readonly<{ signal: EarlyExitSignal; threshold: number }> = Object.freeze({
  signal: 'agreement',
  threshold: 0.33,
});

/**
 * A model reranker's default depth: on the same sweep nDCG@10 was flat from 5 to 20 (mean
 * 0.531–0.533), the weaker first stage gaining with depth and the stronger one losing; 10 is
 * half of 20's price and gains on three of four collections for the first.
 */
export const DEFAULT_RERANK_CANDIDATES = 10;

/** AUTO's early-exit rule: off, or a signal and the threshold it must reach. */
export interface EarlyExitRule {
  enabled: boolean;
  signal: EarlyExitSignal;
  /** `score` skips strictly above it (the report's rule); the other signals at or above it. */
  threshold: number;
}

/** The rule the search options describe: `score` keeps SEARCH_EARLY_EXIT_SCORE as its threshold. */
export function earlyExitRule(options: {
  earlyExitEnabled: boolean;
  earlyExitSignal: EarlyExitSignal;
  earlyExitScore: number;
  earlyExitThreshold: number;
}): EarlyExitRule {
  const { earlyExitEnabled: enabled, earlyExitSignal: signal } = options;
  return { enabled, signal, threshold: signal === 'score' ? options.earlyExitScore : options.earlyExitThreshold };
}

/** Whether AUTO may skip the reranker for these fused hits (best first). */
export function isConfident(hits: readonly SearchHit[], rule: EarlyExitRule): boolean {
  if (!rule.enabled) return false;
  const value = confidence(hits, rule.signal);
  if (value === undefined) return false;
  return rule.signal === 'score' ? value > rule.threshold : value >= rule.threshold;
}

/** The signal's value for these fused hits; undefined when the hits cannot carry it. */
export function confidence(hits: readonly SearchHit[], signal: EarlyExitSignal): number | undefined {
  if (signal === 'score') return bestDenseScore(hits);
  if (signal === 'agreement') return topAgreement(hits, AGREEMENT_DEPTH);
  return denseMargin(hits, MARGIN_DEPTH);
}

/** The best cosine among the hits; undefined when no dense list found any. */
export function bestDenseScore(hits: readonly SearchHit[]): number | undefined {
  let best: number | undefined;
  for (const hit of hits) {
    if (hit.vectorScore !== undefined && (best === undefined || hit.vectorScore > best)) best = hit.vectorScore;
  }
  return best;
}

/**
 * The share of the dense list's first `depth` hits that the lexical list also ranks in its
 * first `depth`, counted against `depth` even when a list is shorter (a small collection, or
 * a query whose words only a few documents hold: a short lexical list is still a finding);
 * undefined when either list is empty (one retriever alone says nothing about agreement).
 */
export function topAgreement(hits: readonly SearchHit[], depth: number): number | undefined {
  let dense = 0;
  let lexical = 0;
  let both = 0;
  for (const hit of hits) {
    const inDense = hit.vectorRank !== undefined && hit.vectorRank <= depth;
    const inLexical = hit.lexicalRank !== undefined && hit.lexicalRank <= depth;
    if (inDense) dense++;
    if (inLexical) lexical++;
    if (inDense && inLexical) both++;
  }
  return dense === 0 || lexical === 0 ? undefined : both / depth;
}

/**
 * The dense list's top-1 margin over its spread, (s1 − s2) / (s1 − s_depth), by vector rank;
 * undefined with fewer than `depth` dense hits. A flat list (every score equal) is 0.
 */
export function denseMargin(hits: readonly SearchHit[], depth: number): number | undefined {
  const byRank: number[] = [];
  for (const hit of hits) {
    if (hit.vectorRank !== undefined && hit.vectorRank <= depth && hit.vectorScore !== undefined) {
      byRank[hit.vectorRank - 1] = hit.vectorScore;
    }
  }
  const [first, second] = byRank;
  const last = byRank[depth - 1];
  if (first === undefined || second === undefined || last === undefined) return undefined;
  return first > last ? (first - second) / (first - last) : 0;
}
