-- Memory: per-user facts, conversations with their messages, and user statistics.
--
-- Timestamps used as keyset cursors are timestamptz(3): stored at the millisecond precision a
-- JavaScript Date carries, so a cursor read back by the service compares exactly equal to the
-- row it came from (microseconds would make pages skip rows).

CREATE TABLE memory_facts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id text NOT NULL,
  content text NOT NULL,
  -- Lowercased, NFKC, whitespace collapsed and trimmed by the service.
  content_normalized text NOT NULL,
  source text NOT NULL DEFAULT '',
  confidence real NOT NULL DEFAULT 1 CHECK (confidence >= 0 AND confidence <= 1),
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

-- UNIQUE (user_id, content_normalized), enforced by the database. The content goes in as its
-- md5 because a B-tree entry cannot exceed about 2.7 kB and facts may be longer; queries
-- compare the full text as well. This index leads with user_id, so it also serves every
-- lookup by user (the report's idx_memory_facts_user_id; see 003).
CREATE UNIQUE INDEX memory_facts_user_content_key ON memory_facts (user_id, md5(content_normalized));

CREATE TABLE conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id text NOT NULL,
  title text NOT NULL DEFAULT '',
  message_count integer NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE conversation_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  sequence integer NOT NULL CHECK (sequence > 0),
  role text NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  content text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  -- Also the index behind the foreign key's ON DELETE CASCADE and ordered reads.
  CONSTRAINT conversation_messages_conversation_sequence_key UNIQUE (conversation_id, sequence)
);

-- One row per user, kept equal to the rows above by the transactions that change them.
CREATE TABLE user_stats (
  -- The primary key is the report's idx_user_stats_user_id (see 003).
  user_id text PRIMARY KEY,
  fact_count bigint NOT NULL DEFAULT 0,
  conversation_count bigint NOT NULL DEFAULT 0,
  message_count bigint NOT NULL DEFAULT 0,
  search_count bigint NOT NULL DEFAULT 0,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_active timestamptz NOT NULL DEFAULT now()
);
