-- The memory indexes from the performance report, in a migration of their own so the
-- benchmark can measure without them: `npm run migrate -- --down 003` drops them,
-- `npm run migrate` builds them again.
--
-- The report names five indexes. Two are built here; the other three would be twins of
-- indexes the schema needs anyway, so they are served as follows:
--   idx_memory_facts_user_id       served by idx_memory_facts_user_created below (user_id is
--                                  its leading column) and by memory_facts_user_content_key
--                                  (001, the uniqueness rule, which also leads with user_id).
--   idx_conversations_user_id      served by idx_conversations_user_updated below.
--   idx_user_stats_user_id         served by the primary key of user_stats (001).
--
-- What the two indexes change: listing a user's facts or conversations newest first, page by
-- page with the keyset (created_at, id) / (updated_at, id), becomes a bounded index range
-- scan instead of reading and sorting all of that user's rows; and without
-- idx_conversations_user_updated, conversations have no index on user_id at all (listing
-- and ForgetUser scan the table). Sorting by (timestamp DESC, id DESC) matches the queries'
-- ORDER BY exactly.

-- migrate:up
CREATE INDEX IF NOT EXISTS idx_memory_facts_user_created ON memory_facts (user_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_conversations_user_updated ON conversations (user_id, updated_at DESC, id DESC);

-- migrate:down
DROP INDEX IF EXISTS idx_memory_facts_user_created;
DROP INDEX IF EXISTS idx_conversations_user_updated;
