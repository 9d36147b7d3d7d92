-- A stamp on each user's memory that changes whenever the user's facts or their lexical index
-- change: every statement that adds or deletes facts, or indexes them, sets
-- user_stats.fact_stamp to a new value from one sequence. RecallFacts' lexical side keeps a
-- snapshot of a user's postings in process and checks the stamp before using it
-- (src/adapters/sql/fact-term-snapshots.ts), so a replica never scores against a memory
-- another replica has changed. The values come from a sequence, not a per-user counter, so a
-- user forgotten and seen again never repeats a stamp; existing rows each get one.

-- migrate:up
CREATE SEQUENCE IF NOT EXISTS memory_fact_stamps;
ALTER TABLE user_stats ADD COLUMN IF NOT EXISTS fact_stamp bigint NOT NULL DEFAULT nextval('memory_fact_stamps');

-- migrate:down
ALTER TABLE user_stats DROP COLUMN IF EXISTS fact_stamp;
DROP SEQUENCE IF EXISTS memory_fact_stamps;
