import type { CallContext } from '../../domain/context';
import type { LexicalFactIndex, ScoredFactId } from '../../domain/ports';
import { lexicalTokens, termCounts } from '../rerankers/lexical-tokens';
import * as sql from './fact-terms-sql';
import { LOCK_USER_FACTS } from './memory-sql';
import type { SqlClient, SqlTx } from './sql-client';

/** Longer terms are cut to this many characters, in facts and queries alike (a B-tree key must stay small). */
const MAX_TERM_LENGTH = 128;
/** Facts indexed per statement when a user's older facts are indexed on first recall. */
const BACKFILL_BATCH = 500;

/** BM25's parameters, as the embedded store's index (bm25-index.ts) uses them. */
const K1 = 1.2;
const B = 0.75;

/** A row of SELECT_FACT_POSTINGS: a term's postings, or (`postings` null) the user's counts. */
interface PostingsRow {
  term: string;
  a: number | string;
  b: number | string;
  postings: string | null;
}

/**
 * The best `limit` facts by BM25 from the user's postings of the query's terms, as Bm25Index
 * scores them: Lucene's IDF ln(1 + (N − df + 0.5) / (df + 0.5)) with N, df and the average
 * length over the user's indexed facts, each query term weighed once per occurrence, summed
 * term by term in the query's order. Also how many of the user's facts are not indexed yet.
 */
function bm25(rows: PostingsRow[], queryCounts: Map<string, number>, limit: number) {
  let indexed = 0;
  let totalLength = 0;
  let facts = 0;
  const postings = new Map<string, { df: number; triples: string }>();
  for (const row of rows) {
    if (row.postings !== null) postings.set(row.term, { df: Number(row.a), triples: row.postings });
    else if (row.term === 'indexed') [indexed, totalLength] = [Number(row.a), Number(row.b)];
    else facts = Number(row.a);
  }
  const avgLength = totalLength / indexed || 1;
  const scores = new Map<string, number>();
  for (const [term, qtf] of queryCounts) {
    const posting = postings.get(term);
    if (!posting) continue;
    const weight = qtf * Math.log(1 + (indexed - posting.df + 0.5) / (posting.df + 0.5));
    const parts = posting.triples.split(' ');
    for (let i = 0; i + 2 < parts.length; i += 3) {
      // biome-ignore lint/style/noNonNullAssertion: i + 2 < parts.length
      const factId = parts[i]!;
      const tf = Number(parts[i + 1]);
      const norm = K1 * (1 - B + (B * Number(parts[i + 2])) / avgLength);
      scores.set(factId, (scores.get(factId) ?? 0) + (weight * tf * (K1 + 1)) / (tf + norm));
    }
  }
  return { hits: best(scores, limit), unindexed: facts - indexed };
}

/**
 * The `limit` best of `scores`, by score then fact id: only the facts at or above the
 * limit-th score are sorted (a name in every fact of a conversation makes hundreds of
 * candidates, and sorting them all cost more than the scoring).
 */
function best(scores: Map<string, number>, limit: number): ScoredFactId[] {
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

/** A fact to index: its id and text. */
export interface IndexableFact {
  id: string;
  content: string;
}

/** The text's terms with their counts, and its length in tokens: the analyzer of Search's lexical side. */
export function analyze(text: string): { terms: Map<string, number>; length: number } {
  const tokens = lexicalTokens(text).map((t) => (t.length > MAX_TERM_LENGTH ? t.slice(0, MAX_TERM_LENGTH) : t));
  return { terms: termCounts(tokens), length: tokens.length };
}

/**
 * Writes the lexical index entries of the user's facts inside the transaction that stores
 * them (AddFacts), so a fact and its terms commit or roll back together. Entries that exist
 * are kept.
 */
export async function writeFactTerms(tx: SqlTx, userId: string, facts: readonly IndexableFact[]): Promise<void> {
  if (facts.length === 0) return;
  const ids: string[] = [];
  const lengths: number[] = [];
  const terms: string[] = [];
  const termFacts: string[] = [];
  const tfs: number[] = [];
  const termLengths: number[] = [];
  for (const fact of facts) {
    const { terms: counts, length } = analyze(fact.content);
    ids.push(fact.id);
    lengths.push(length);
    for (const [term, tf] of counts) {
      terms.push(term);
      termFacts.push(fact.id);
      tfs.push(tf);
      termLengths.push(length);
    }
  }
  await tx.query(sql.INSERT_FACT_TERMS, [userId, ids, lengths, terms, termFacts, tfs, termLengths]);
}

/**
 * The lexical fact index on a SqlClient (PostgreSQL or PGlite). A user's facts stored before
 * migration 005 have no terms yet: the first search that finds some indexes them all, in
 * batches, under the user's fact lock (so no DeleteFacts or ForgetUser interleaves), then
 * searches again. A user whose facts are all indexed pays one statement per search.
 */
export function createSqlLexicalFactIndex(client: SqlClient): LexicalFactIndex {
  async function indexMissing(userId: string, ctx: CallContext): Promise<void> {
    await client.transaction('index_fact_terms', ctx, async (tx) => {
      await tx.query(LOCK_USER_FACTS, [userId]);
      for (;;) {
        const batch = await tx.query<IndexableFact>(sql.SELECT_UNINDEXED_FACTS, [userId, BACKFILL_BATCH]);
        await writeFactTerms(tx, userId, batch);
        if (batch.length < BACKFILL_BATCH) return;
      }
    });
  }

  async function run(userId: string, counts: Map<string, number>, limit: number, ctx: CallContext) {
    const rows = await client.query<PostingsRow>(
      'recall_facts_lexical',
      sql.SELECT_FACT_POSTINGS,
      [userId, [...counts.keys()]],
      ctx,
    );
    return bm25(rows, counts, limit);
  }

  return {
    async search(userId, query, limit, ctx) {
      const { terms } = analyze(query);
      if (terms.size === 0 || limit <= 0) return [];
      const first = await run(userId, terms, limit, ctx);
      if (first.unindexed <= 0) return first.hits;
      await indexMissing(userId, ctx);
      return (await run(userId, terms, limit, ctx)).hits;
    },
  };
}
