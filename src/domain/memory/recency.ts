import type { Fact } from '../ports';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Recency weighting of RecallFacts (off unless MEMORY_RECENCY_HALF_LIFE_DAYS is set): each
 * fact's score is multiplied by 0.5^(age / half-life), its age counted from when it began to
 * hold (valid_from) to `at` (now, or the request's as_of; never negative), and the facts are
 * ranked again. A half-life of 0 leaves scores and order as they are.
 */
export function weighByRecency<T extends Fact & { score: number }>(facts: T[], halfLifeDays: number, at: Date): T[] {
  if (!(halfLifeDays > 0)) return facts;
  const halfLifeMs = halfLifeDays * DAY_MS;
  return facts
    .map((fact) => {
      const age = Math.max(0, at.getTime() - fact.validFrom.getTime());
      const weight = 0.5 ** (age / halfLifeMs);
      // A negative similarity is pushed down by age too, never up.
      return { ...fact, score: fact.score >= 0 ? fact.score * weight : fact.score / weight };
    })
    .sort((a, b) => b.score - a.score);
}
