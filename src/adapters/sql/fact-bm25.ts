/**
 * BM25 over one user's fact postings, as the embedded store's index (bm25-index.ts) scores
 * documents: Lucene's IDF ln(1 + (N − df + 0.5) / (df + 0.5)) with N, df and the average
 * length over the user's indexed facts, each query term weighed once per occurrence, summed
 * term by term in the query's order. Shared by the statement path and the in-process
 * snapshots (fact-terms.ts, fact-term-snapshots.ts), which therefore score alike to the bit.
 */
import type { ScoredFactId } from '../../domain/ports';

const K1 = 1.2;
const B = 0.75;

/** A row of SELECT_FACT_POSTINGS / SELECT_USER_POSTINGS (fact-terms-sql.ts). */
export interface PostingsRow {
  term: string;
  a: number | string;
  b: number | string;
  postings: string | null;
  stamp: string | null;
}

/** The user's counts from the statement's two rows with null postings. */
export interface PostingsCounts {
  /** How many of the user's facts are indexed, and their total length in tokens. */
  indexed: number;
  totalLength: number;
  /** How many facts the user has (more than indexed while some still need their postings). */
  facts: number;
  /** The user's memory stamp in the statement's snapshot; null for a user never seen. */
  stamp: string | null;
}

/** Splits the statement's rows into the postings by term and the user's counts. */
export function readPostingsRows(rows: readonly PostingsRow[]) {
  const counts: PostingsCounts = { indexed: 0, totalLength: 0, facts: 0, stamp: null };
  const postings = new Map<string, { df: number; triples: string }>();
  for (const row of rows) {
    if (row.postings !== null) postings.set(row.term, { df: Number(row.a), triples: row.postings });
    else if (row.term === 'indexed') [counts.indexed, counts.totalLength] = [Number(row.a), Number(row.b)];
    else [counts.facts, counts.stamp] = [Number(row.a), row.stamp];
  }
  return { postings, counts };
}

/** Scores facts term by term: `add` one posting at a time, in the query's term order. */
export class Bm25Sum {
  readonly scores = new Map<string, number>();
  private readonly avgLength: number;

  constructor(
    private readonly indexed: number,
    totalLength: number,
  ) {
    this.avgLength = totalLength / indexed || 1;
  }

  /** A query term's weight: its count in the query times its IDF among the user's facts. */
  weight(queryTf: number, df: number): number {
    return queryTf * Math.log(1 + (this.indexed - df + 0.5) / (df + 0.5));
  }

  add(factId: string, weight: number, tf: number, length: number): void {
    const norm = K1 * (1 - B + (B * length) / this.avgLength);
    this.scores.set(factId, (this.scores.get(factId) ?? 0) + (weight * tf * (K1 + 1)) / (tf + norm));
  }
}

/** BM25 of the query's terms from the statement's postings strings ("fact_id tf length" triples). */
export function scoreTriples(
  postings: ReadonlyMap<string, { df: number; triples: string }>,
  counts: PostingsCounts,
  queryCounts: ReadonlyMap<string, number>,
  limit: number,
): ScoredFactId[] {
  const sum = new Bm25Sum(counts.indexed, counts.totalLength);
  for (const [term, qtf] of queryCounts) {
    const posting = postings.get(term);
    if (!posting) continue;
    const weight = sum.weight(qtf, posting.df);
    const parts = posting.triples.split(' ');
    for (let i = 0; i + 2 < parts.length; i += 3) {
      // biome-ignore lint/style/noNonNullAssertion: i + 2 < parts.length
      sum.add(parts[i]!, weight, Number(parts[i + 1]), Number(parts[i + 2]));
    }
  }
  return best(sum.scores, limit);
}

/**
 * The `limit` best of `scores`, by score then fact id: only the facts at or above the
 * limit-th score are sorted (a name in every fact of a conversation makes hundreds of
 * candidates, and sorting them all cost more than the scoring).
 */
export function best(scores: ReadonlyMap<string, number>, limit: number): ScoredFactId[] {
  let floor = Number.NEGATIVE_INFINITY;
  if (scores.size > limit) {
    const sorted = Float64Array.from(scores.values()).sort();
    floor = sorted[sorted.length - limit] ?? floor;
  }
  const hits: ScoredFactId[] = [];
  for (const [factId, score] of scores) if (score >= floor) hits.push({ factId, score });
  hits.sort((a, b) => b.score - a.score || (a.factId < b.factId ? -1 : a.factId > b.factId ? 1 : 0));
  return hits.slice(0, limit);
}
