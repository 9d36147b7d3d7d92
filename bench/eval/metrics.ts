/**
 * The one implementation of the eval's measures, used for every system (recall's modes and the
 * BM25 anchor alike), with trec_eval's definitions: nDCG@k with linear gains (ndcg_cut),
 * AP over the top k divided by ALL relevant documents (map_cut), recall over the top k. A
 * document is relevant when its gain is above 0; unjudged documents count as not relevant.
 * Cross-checked against ir-measures (bench/eval/README.md).
 */

/** Gains of one query's judged documents (document id → gain). */
export type Judgments = ReadonlyMap<string, number>;

/** nDCG@k: DCG of the ranking's first k over the DCG of the ideal ordering of the judgments. */
export function ndcgAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  const dcg = (gains: number[]) => gains.reduce((sum, gain, i) => sum + gain / Math.log2(i + 2), 0);
  const ideal = dcg(
    [...judgments.values()]
      .filter((g) => g > 0)
      .sort((a, b) => b - a)
      .slice(0, k),
  );
  if (ideal === 0) return 0;
  return dcg(unique(ranking, k).map((id) => Math.max(0, judgments.get(id) ?? 0))) / ideal;
}

/** AP@k: mean of precision at each relevant document in the first k, over all relevant documents. */
export function averagePrecisionAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  const relevant = relevantCount(judgments);
  if (relevant === 0) return 0;
  let found = 0;
  let sum = 0;
  unique(ranking, k).forEach((id, i) => {
    if ((judgments.get(id) ?? 0) > 0) {
      found++;
      sum += found / (i + 1);
    }
  });
  return sum / relevant;
}

/** Recall@k: the share of the relevant documents found in the first k. */
export function recallAt(ranking: readonly string[], judgments: Judgments, k: number): number {
  const relevant = relevantCount(judgments);
  if (relevant === 0) return 0;
  return unique(ranking, k).filter((id) => (judgments.get(id) ?? 0) > 0).length / relevant;
}

/** The eval's three measures for one query. */
export interface QueryScores {
  ndcg10: number;
  ap100: number;
  recall100: number;
}

/** nDCG@10, AP@100 and Recall@100 of one ranking. */
export function scoreQuery(ranking: readonly string[], judgments: Judgments): QueryScores {
  return {
    ndcg10: ndcgAt(ranking, judgments, 10),
    ap100: averagePrecisionAt(ranking, judgments, 100),
    recall100: recallAt(ranking, judgments, 100),
  };
}

/** Means over queries: nDCG@10, MAP@100, Recall@100 (0 for no queries). */
export function meanScores(scores: readonly QueryScores[]): { ndcg10: number; map100: number; recall100: number } {
  const mean = (pick: (s: QueryScores) => number) =>
    scores.length === 0 ? 0 : scores.reduce((sum, s) => sum + pick(s), 0) / scores.length;
  return { ndcg10: mean((s) => s.ndcg10), map100: mean((s) => s.ap100), recall100: mean((s) => s.recall100) };
}

/** The first k distinct ids: a document listed twice (e.g. two chunks) counts once, where it first appears. */
function unique(ranking: readonly string[], k: number): string[] {
  return [...new Set(ranking)].slice(0, k);
}

function relevantCount(judgments: Judgments): number {
  let n = 0;
  for (const gain of judgments.values()) if (gain > 0) n++;
  return n;
}
