/**
 * The lexical fact index's SQL (migration 005_fact_terms), shared verbatim by PostgreSQL and
 * PGlite. Every statement names one user, and the indexes lead with user_id, so nothing here
 * reads another user's rows.
 */
import { NEW_FACT_STAMP } from './memory-sql';

/**
 * Indexes facts: one length row per fact and one posting per (term, fact); rows that exist
 * are kept ($1 user, $2 fact ids, $3 lengths, $4 terms, $5 their fact ids, $6 their counts,
 * $7 their facts' lengths).
 */
export const INSERT_FACT_TERMS = `WITH lengths AS (
  INSERT INTO memory_fact_lengths (fact_id, user_id, length)
  SELECT t.fact_id, $1, t.length FROM unnest($2::uuid[], $3::int[]) AS t(fact_id, length)
  ON CONFLICT (fact_id) DO NOTHING
), stamp AS (
  UPDATE user_stats SET ${NEW_FACT_STAMP} WHERE user_id = $1
)
INSERT INTO memory_fact_terms (user_id, term, fact_id, tf, length)
SELECT $1, t.term, t.fact_id, t.tf, t.length
FROM unnest($4::text[], $5::uuid[], $6::int[], $7::int[]) AS t(term, fact_id, tf, length)
ON CONFLICT DO NOTHING`;

/** The user's facts not indexed yet, at most $2 ($1 user). */
export const SELECT_UNINDEXED_FACTS = `SELECT f.id, f.content FROM memory_facts f
WHERE f.user_id = $1 AND NOT EXISTS (SELECT 1 FROM memory_fact_lengths l WHERE l.fact_id = f.id)
LIMIT $2`;

/** The user's memory stamp (migration 007), as text; no row for a user never seen ($1 user). */
export const SELECT_FACT_STAMP = 'SELECT fact_stamp::text AS stamp FROM user_stats WHERE user_id = $1';

/**
 * Postings rows (see SELECT_FACT_POSTINGS) of the user's terms that pass `filter`, then the
 * user's two count rows.
 */
function postingsStatement(filter: string): string {
  return `SELECT term, count(*)::float8 AS a, 0::float8 AS b,
  string_agg(fact_id::text || ' ' || tf || ' ' || length, ' ') AS postings, NULL::text AS stamp
FROM memory_fact_terms WHERE user_id = $1${filter} GROUP BY term
UNION ALL
SELECT 'indexed', count(*)::float8, coalesce(sum(length), 0)::float8, NULL, NULL FROM memory_fact_lengths WHERE user_id = $1
UNION ALL
SELECT 'facts', coalesce(s.fact_count, 0)::float8, 0, NULL, s.fact_stamp::text
FROM (SELECT 1) AS one LEFT JOIN user_stats s ON s.user_id = $1`;
}

/**
 * What BM25 needs to score a query against the user's facts ($1 user, $2 the query's terms):
 * one row per query term the user's facts contain — `term`, `a` = how many of them contain it
 * (df), `postings` = "fact_id tf length" triples (tf: the term's count in the fact, length:
 * the fact's length in tokens) joined by spaces — then two rows with a null `postings`: term
 * `indexed`: a = how many of the user's facts are indexed, b = their total length; term
 * `facts`: a = how many facts the user has (user_stats.fact_count, kept equal to the rows by
 * every statement that adds or deletes facts; more than indexed while some facts still need
 * their postings), `stamp` = the user's memory stamp, read in the same snapshot. One
 * statement, the user's rows only; the sum is done by the caller (cheaper than in SQL on
 * PGlite, measured). A term's postings travel as one string because decoding hundreds of
 * rows cost far more than the scan (a question naming a speaker matches half of a
 * conversation's turns): with one row per posting and count(*) over memory_facts, the
 * statement took 12.9 ms p50 on PGlite and 3.3 ms on PostgreSQL, against 5.7 and 2.4 ms now
 * (docs/memory-quality.md).
 */
export const SELECT_FACT_POSTINGS = postingsStatement(' AND term = ANY ($2::text[])');

/** The same rows for every term of the user ($1 user): a whole snapshot of the user's postings. */
export const SELECT_USER_POSTINGS = postingsStatement('');
