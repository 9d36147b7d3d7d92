-- Facts that change over time and facts that expire (issue 17).
--
-- valid_from / valid_until: when a fact holds in the world (valid time), beside created_at
-- (when recall learnt it). Existing facts become valid from their creation, open-ended.
-- superseded_by: the version that replaced this one (SupersedeFact sets it together with
-- valid_until); lineage_id: shared by every version of one fact, so GetFactHistory reads a
-- lineage with one index range. A fact's first version starts its own lineage.
-- expires_at: after it the fact is never returned (every read filters expires_at > now())
-- and the sweeper deletes its row and vector.
--
-- Duplicate detection (the unique index of 001) now covers only the latest version of each
-- lineage (superseded_by IS NULL): a superseded version's content may be stated again.
-- valid_from's default is now(), which is created_at's default in the same statement.

-- migrate:up
ALTER TABLE memory_facts
  ADD COLUMN valid_from timestamptz(3),
  ADD COLUMN valid_until timestamptz(3),
  ADD COLUMN expires_at timestamptz(3),
  ADD COLUMN superseded_by uuid,
  ADD COLUMN lineage_id uuid;
UPDATE memory_facts SET valid_from = created_at, lineage_id = id;
ALTER TABLE memory_facts
  ALTER COLUMN valid_from SET DEFAULT now(),
  ALTER COLUMN valid_from SET NOT NULL,
  ALTER COLUMN lineage_id SET DEFAULT gen_random_uuid(),
  ALTER COLUMN lineage_id SET NOT NULL,
  ADD CONSTRAINT memory_facts_validity_check CHECK (valid_until IS NULL OR valid_until > valid_from);

DROP INDEX memory_facts_user_content_key;
CREATE UNIQUE INDEX memory_facts_user_content_key ON memory_facts (user_id, md5(content_normalized))
  WHERE superseded_by IS NULL;
-- GetFactHistory: one lineage of one user.
CREATE INDEX memory_facts_user_lineage_idx ON memory_facts (user_id, lineage_id, valid_from);
-- The sweeper: the oldest expired facts first, over facts that expire at all.
CREATE INDEX memory_facts_expires_at_idx ON memory_facts (expires_at) WHERE expires_at IS NOT NULL;

-- migrate:down
-- Keeps each lineage's latest version and deletes the older ones (the unique index of 001
-- cannot hold two versions with the same content), with user_stats kept equal to the rows.
-- Their vectors are left to the orphan collection RecallFacts already does.
WITH del AS (
  DELETE FROM memory_facts WHERE superseded_by IS NOT NULL RETURNING user_id
), counts AS (
  SELECT user_id, count(*) AS n FROM del GROUP BY user_id
)
UPDATE user_stats s SET fact_count = s.fact_count - counts.n FROM counts WHERE s.user_id = counts.user_id;
DROP INDEX IF EXISTS memory_facts_expires_at_idx;
DROP INDEX IF EXISTS memory_facts_user_lineage_idx;
DROP INDEX memory_facts_user_content_key;
CREATE UNIQUE INDEX memory_facts_user_content_key ON memory_facts (user_id, md5(content_normalized));
ALTER TABLE memory_facts
  DROP CONSTRAINT IF EXISTS memory_facts_validity_check,
  DROP COLUMN lineage_id,
  DROP COLUMN superseded_by,
  DROP COLUMN expires_at,
  DROP COLUMN valid_until,
  DROP COLUMN valid_from;
