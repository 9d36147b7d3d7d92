-- RecallFacts' lexical side: a BM25 inverted index over each user's facts, kept in SQL beside
-- the rows. A user's query reads only that user's postings (the primary key leads with
-- user_id), so its cost does not grow with other users' memories.
--
-- Tokens come from recall's own analyzer (Snowball stemming, NFKC, CJK bigrams; see
-- docs/lexical-analysis.md), so SQL cannot fill these tables for facts stored before this
-- migration: the repository indexes a user's missing facts the first time that user's facts
-- are recalled lexically (see src/adapters/sql/fact-terms.ts). Both tables follow their fact
-- by ON DELETE CASCADE, so DeleteFacts, ForgetUser and any later deletion need no change.

-- migrate:up
CREATE TABLE IF NOT EXISTS memory_fact_terms (
  user_id text NOT NULL,
  term text NOT NULL,
  fact_id uuid NOT NULL REFERENCES memory_facts (id) ON DELETE CASCADE,
  -- How many times the term occurs in the fact.
  tf integer NOT NULL CHECK (tf > 0),
  -- The fact's length in tokens (as in memory_fact_lengths), kept here so scoring needs no join.
  length integer NOT NULL CHECK (length > 0),
  PRIMARY KEY (user_id, term, fact_id)
);
-- For the cascade from memory_facts.
CREATE INDEX IF NOT EXISTS memory_fact_terms_fact_idx ON memory_fact_terms (fact_id);

-- One row per indexed fact: its length in tokens (BM25's length normalisation). A fact without
-- a row here has not been indexed yet.
CREATE TABLE IF NOT EXISTS memory_fact_lengths (
  fact_id uuid PRIMARY KEY REFERENCES memory_facts (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  length integer NOT NULL CHECK (length >= 0)
);
CREATE INDEX IF NOT EXISTS memory_fact_lengths_user_idx ON memory_fact_lengths (user_id);

-- migrate:down
DROP TABLE IF EXISTS memory_fact_terms;
DROP TABLE IF EXISTS memory_fact_lengths;
