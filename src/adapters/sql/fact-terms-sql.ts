/**
 * The lexical fact index's SQL (migration 005_fact_terms), shared verbatim by PostgreSQL and
 * PGlite. Every statement names one user, and the indexes lead with user_id, so nothing here
 * reads another user's rows.
 */

/** BM25's parameters, as the embedded store's index (bm25-index.ts) uses them. */
const K1 = 1.2;
const B = 0.75;

/**
 * Indexes facts: one length row per fact and one posting per (term, fact); rows that exist
 * are kept ($1 user, $2 fact ids, $3 lengths, $4 terms, $5 their fact ids, $6 their counts).
 */
export const INSERT_FACT_TERMS = `WITH lengths AS (
  INSERT INTO memory_fact_lengths (fact_id, user_id, length)
  SELECT t.fact_id, $1, t.length FROM unnest($2::uuid[], $3::int[]) AS t(fact_id, length)
  ON CONFLICT (fact_id) DO NOTHING
)
INSERT INTO memory_fact_terms (user_id, term, fact_id, tf)
SELECT $1, t.term, t.fact_id, t.tf FROM unnest($4::text[], $5::uuid[], $6::int[]) AS t(term, fact_id, tf)
ON CONFLICT DO NOTHING`;

/** The user's facts not indexed yet, at most $2 ($1 user). */
export const SELECT_UNINDEXED_FACTS = `SELECT f.id, f.content FROM memory_facts f
WHERE f.user_id = $1 AND NOT EXISTS (SELECT 1 FROM memory_fact_lengths l WHERE l.fact_id = f.id)
LIMIT $2`;

/**
 * The user's $4 best facts by BM25 for the query terms $2 with their counts $3 ($1 user):
 * Lucene's IDF ln(1 + (N − df + 0.5) / (df + 0.5)) with N, df and the average length taken
 * over the user's facts only, each query term weighed once per occurrence. One more row with
 * a null fact_id carries how many of the user's facts are not indexed yet (normally 0).
 */
export const SEARCH_FACT_TERMS = `WITH q AS (
  SELECT * FROM unnest($2::text[], $3::int[]) AS q(term, qtf)
), stats AS (
  SELECT count(*)::float8 AS n, coalesce(nullif(avg(length), 0), 1)::float8 AS avgdl
  FROM memory_fact_lengths WHERE user_id = $1
), postings AS (
  SELECT p.fact_id, p.tf, q.term, q.qtf FROM memory_fact_terms p JOIN q ON q.term = p.term WHERE p.user_id = $1
), df AS (
  SELECT term, count(*)::float8 AS df FROM postings GROUP BY term
), scored AS (
  SELECT p.fact_id, sum(
    p.qtf * ln(1 + (s.n - df.df + 0.5) / (df.df + 0.5))
      * p.tf * ${K1 + 1} / (p.tf + ${K1} * (1 - ${B} + ${B} * l.length / s.avgdl))
  ) AS score
  FROM postings p JOIN df ON df.term = p.term JOIN memory_fact_lengths l ON l.fact_id = p.fact_id CROSS JOIN stats s
  GROUP BY p.fact_id ORDER BY score DESC, p.fact_id LIMIT $4
)
SELECT fact_id::text AS fact_id, score::float8 AS score FROM scored
UNION ALL
SELECT NULL, ((SELECT count(*) FROM memory_facts WHERE user_id = $1) - (SELECT n FROM stats))::float8`;
