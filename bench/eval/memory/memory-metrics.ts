import { recallAt } from '../metrics';
import { ADVERSARIAL, LOCOMO_CATEGORIES } from './locomo';

/** The cut-offs of evidence recall. */
export const RECALL_CUTS = [5, 10, 20] as const;

/** One question's measures. */
export interface EvidenceScores {
  /** Share of the question's evidence turns in the first 5, 10, 20 hits. */
  recall5: number;
  recall10: number;
  recall20: number;
  /** 1 when any evidence turn is in the first 10, else 0. */
  hit10: number;
}

/** Means of a group of questions. */
export type GroupScores = { questions: number } & EvidenceScores;

/**
 * Evidence recall@5/10/20 and hit@10 of one ranking (ids best first; an id listed twice counts
 * once) against the ids of the evidence turns (recall@k as in ../metrics.ts).
 */
export function scoreEvidence(ranking: readonly string[], evidence: readonly string[]): EvidenceScores {
  const judged = new Map(evidence.map((id) => [id, 1]));
  const [recall5, recall10, recall20] = RECALL_CUTS.map((k) => recallAt(ranking, judged, k)) as [
    number,
    number,
    number,
  ];
  return { recall5, recall10, recall20, hit10: recall10 > 0 ? 1 : 0 };
}

/** Means over questions (all 0 for none). */
export function meanEvidence(scores: readonly EvidenceScores[]): GroupScores {
  const mean = (pick: (s: EvidenceScores) => number) =>
    scores.length === 0 ? 0 : scores.reduce((sum, s) => sum + pick(s), 0) / scores.length;
  return {
    questions: scores.length,
    recall5: mean((s) => s.recall5),
    recall10: mean((s) => s.recall10),
    recall20: mean((s) => s.recall20),
    hit10: mean((s) => s.hit10),
  };
}

/** A system's measures: overall (categories 1–4), every category apart, and all five together. */
export interface CategoryBreakdown {
  /** Categories 1–4: the questions whose answer is in the conversation. */
  overall: GroupScores;
  /** Keyed by category name (`temporal`, …; `category N` for one LoCoMo does not name). */
  byCategory: Record<string, GroupScores>;
  /** All five categories together, adversarial included (comparable with figures over every question). */
  all: GroupScores;
}

/** The name of a LoCoMo category number. */
export function categoryName(category: number): string {
  return LOCOMO_CATEGORIES[category] ?? `category ${category}`;
}

/** Groups per-question scores by category; adversarial questions stay out of `overall`. */
export function breakdown(rows: readonly (EvidenceScores & { category: number })[]): CategoryBreakdown {
  const categories = [...new Set(rows.map((r) => r.category))].sort((a, b) => a - b);
  const byCategory: Record<string, GroupScores> = {};
  for (const category of categories) {
    byCategory[categoryName(category)] = meanEvidence(rows.filter((r) => r.category === category));
  }
  return {
    overall: meanEvidence(rows.filter((r) => r.category !== ADVERSARIAL)),
    byCategory,
    all: meanEvidence(rows),
  };
}
