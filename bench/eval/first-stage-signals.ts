import { confidence, denseMargin, topAgreement } from '../../src/domain/search';
import type { SearchHit as DomainHit } from '../../src/domain/search';
import type { SearchHit } from '../../src/gen/recall/v1/search';

/** The early-exit signals of one first-stage (hybrid, not reranked) response, for the sweep. */
export type FirstStageSignals = Record<string, number | undefined>;

/** The agreement depths and margin depths the sweep compares (the server uses early-exit.ts's). */
const AGREEMENT_DEPTHS = [1, 3, 5, 10];

/** A response's hits as the domain sees them (rank 0 = not found by that retriever). */
function domainHits(hits: readonly SearchHit[]): DomainHit[] {
  return hits.map((h) => ({
    id: h.id,
    collection: h.collection,
    text: '',
    score: h.score,
    metadata: {},
    ...(h.vectorRank > 0 ? { vectorRank: h.vectorRank, vectorScore: h.vectorScore } : {}),
    ...(h.lexicalRank > 0 ? { lexicalRank: h.lexicalRank, lexicalScore: h.lexicalScore } : {}),
  }));
}

/**
 * Every candidate signal, computed by the server's own functions from the response's hits:
 * agreement at several depths, the normalised margin, and the top cosine.
 */
export function firstStageSignals(hits: readonly SearchHit[]): FirstStageSignals {
  const domain = domainHits(hits);
  const signals: FirstStageSignals = {
    score: confidence(domain, 'score'),
    margin: denseMargin(domain, 10),
  };
  for (const depth of AGREEMENT_DEPTHS) signals[`agreement@${depth}`] = topAgreement(domain, depth);
  return signals;
}
