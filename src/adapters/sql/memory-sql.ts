/**
 * The memory repository's SQL, shared verbatim by PostgreSQL and PGlite.
 *
 * Locking rule: every write that spans several statements first locks the user's
 * user_stats row, so one user's writes are serialised and the row locks are always taken in
 * the same order (no deadlocks), and ForgetUser sees either all or nothing of a concurrent
 * write. Single-statement writes take that lock last, touching only rows nobody else can see.
 *
 * Writes of facts (add, delete, forget, the orphan-vector collection) also change the vector
 * index inside their transaction, so they first take a per-user advisory lock
 * ({@link LOCK_USER_FACTS}): it exists before the user's stats row does, so a ForgetUser can
 * never run between a fact's row and its vector, even for a user seen for the first time.
 */
import { CONVERSATION_COLUMNS, FACT_COLUMNS, MESSAGE_COLUMNS } from './memory-rows';

/**
 * Gives the user's memory a new stamp (migration 007): every statement that adds, deletes or
 * indexes facts sets it, so the lexical side's in-process snapshot of a user's postings can
 * tell it is out of date (fact-term-snapshots.ts). A unit test checks each such statement.
 */
export const NEW_FACT_STAMP = "fact_stamp = nextval('memory_fact_stamps')";

/** Creates the user's stats row if needed and locks it ($1 user). */
export const LOCK_USER_CREATING = `INSERT INTO user_stats AS s (user_id) VALUES ($1)
ON CONFLICT (user_id) DO UPDATE SET last_active = now()`;

/**
 * Serialises the user's fact writes until the transaction ends ($1 user). Always taken before
 * any row lock. The two-key form keeps it apart from the migrator's single-key lock; a hash
 * collision between two users only serialises them.
 */
export const LOCK_USER_FACTS = 'SELECT pg_advisory_xact_lock(1919251317, hashtext($1))';

/** Locks the user's stats row when it exists ($1 user). */
export const LOCK_USER = 'SELECT 1 FROM user_stats WHERE user_id = $1 FOR UPDATE';

/**
 * Inserts new facts, skips duplicates of the latest version of a fact (expired or ended
 * ones too: the repository replaces those), counts the inserted ones ($1 user, $2..$9 arrays; a null valid_from
 * is now(), like created_at).
 */
export const INSERT_FACTS = `WITH ins AS (
  INSERT INTO memory_facts (user_id, content, content_normalized, source, confidence, metadata,
    valid_from, valid_until, expires_at)
  SELECT $1, t.content, t.normalized, t.source, t.confidence, t.metadata::jsonb,
    coalesce(t.valid_from, now()), t.valid_until, t.expires_at
  FROM unnest($2::text[], $3::text[], $4::text[], $5::real[], $6::text[], $7::timestamptz[],
    $8::timestamptz[], $9::timestamptz[])
    AS t(content, normalized, source, confidence, metadata, valid_from, valid_until, expires_at)
  ON CONFLICT (user_id, md5(content_normalized)) WHERE superseded_by IS NULL DO NOTHING
  RETURNING ${FACT_COLUMNS}, content_normalized
), bump AS (
  UPDATE user_stats SET fact_count = fact_count + (SELECT count(*) FROM ins), ${NEW_FACT_STAMP} WHERE user_id = $1
)
SELECT * FROM ins`;

/**
 * The latest versions of the user's facts with these normalised contents, and whether each
 * has expired or ended ($1 user, $2 text[]).
 */
export const SELECT_FACTS_BY_CONTENT = `SELECT ${FACT_COLUMNS}, content_normalized,
  coalesce(expires_at <= now(), false) AS expired, coalesce(valid_until <= now(), false) AS ended
FROM memory_facts
WHERE user_id = $1 AND superseded_by IS NULL
  AND md5(content_normalized) = ANY (ARRAY(SELECT md5(k) FROM unnest($2::text[]) AS k))
  AND content_normalized = ANY ($2::text[])`;

/**
 * Which versions a read returns (see FactView), with $history (boolean) and $asOf
 * (timestamptz, null = now) as the given parameters. Expired facts never.
 */
function visible(history: string, asOf: string): string {
  const at = `coalesce(${asOf}::timestamptz, now())`;
  return `(expires_at IS NULL OR expires_at > now())
  AND (${history}::boolean OR (valid_from <= ${at} AND (valid_until IS NULL OR valid_until > ${at})))`;
}

/** Newest facts first ($1 user, $2 limit, $3 history, $4 as of). */
export const LIST_FACTS = `SELECT ${FACT_COLUMNS} FROM memory_facts WHERE user_id = $1 AND ${visible('$3', '$4')}
ORDER BY created_at DESC, id DESC LIMIT $2`;

/** Newest facts first, after a keyset cursor ($3 created_at, $4 id, $5 history, $6 as of). */
export const LIST_FACTS_AFTER = `SELECT ${FACT_COLUMNS} FROM memory_facts
WHERE user_id = $1 AND (created_at, id) < ($3::timestamptz, $4::uuid) AND ${visible('$5', '$6')}
ORDER BY created_at DESC, id DESC LIMIT $2`;

/** The user's facts among ids ($1 user, $2 uuid[], $3 history, $4 as of). */
export const GET_FACTS = `SELECT ${FACT_COLUMNS} FROM memory_facts
WHERE user_id = $1 AND id = ANY ($2::uuid[]) AND ${visible('$3', '$4')}`;

/** Which of the ids are the user's facts ($1 user, $2 uuid[]). */
export const SELECT_FACT_IDS = 'SELECT id FROM memory_facts WHERE user_id = $1 AND id = ANY ($2::uuid[])';

/** Deletes the user's facts among ids and keeps fact_count equal ($1 user, $2 uuid[]). */
export const DELETE_FACTS = `WITH del AS (
  DELETE FROM memory_facts WHERE user_id = $1 AND id = ANY ($2::uuid[]) RETURNING id
), bump AS (
  UPDATE user_stats SET fact_count = fact_count - (SELECT count(*) FROM del), last_active = now(), ${NEW_FACT_STAMP}
  WHERE user_id = $1 AND EXISTS (SELECT 1 FROM del)
)
SELECT id FROM del`;

/** A new conversation with its messages, counted in user_stats, in one statement. */
export const CREATE_CONVERSATION = `WITH conv AS (
  INSERT INTO conversations (user_id, title, message_count) VALUES ($1, coalesce($2, ''), $3)
  RETURNING ${CONVERSATION_COLUMNS}
), msgs AS (
  INSERT INTO conversation_messages (conversation_id, sequence, role, content)
  SELECT conv.id, m.ord, m.role, m.content
  FROM conv, unnest($4::text[], $5::text[]) WITH ORDINALITY AS m(role, content, ord)
), stats AS (
  INSERT INTO user_stats AS s (user_id, conversation_count, message_count) VALUES ($1, 1, $3)
  ON CONFLICT (user_id) DO UPDATE SET conversation_count = s.conversation_count + 1,
    message_count = s.message_count + EXCLUDED.message_count, last_active = now()
)
SELECT * FROM conv`;

/** Locks the user's conversation ($1 user, $2 conversation). */
export const LOCK_CONVERSATION = 'SELECT message_count FROM conversations WHERE id = $2 AND user_id = $1 FOR UPDATE';

/**
 * Appends after sequence $3 and bumps the counters. updated_at moves forward by at least a
 * millisecond on every append, so "most recently updated first" follows the appends.
 */
export const APPEND_MESSAGES = `WITH msgs AS (
  INSERT INTO conversation_messages (conversation_id, sequence, role, content)
  SELECT $2, $3 + m.ord, m.role, m.content
  FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS m(role, content, ord)
), conv AS (
  UPDATE conversations SET message_count = message_count + $6, title = coalesce($7, title),
    updated_at = greatest(clock_timestamp(), updated_at + interval '1 millisecond')
  WHERE id = $2 RETURNING ${CONVERSATION_COLUMNS}
), stats AS (
  UPDATE user_stats SET message_count = message_count + $6, last_active = now() WHERE user_id = $1
)
SELECT * FROM conv`;

/** The user's conversation ($1 user, $2 conversation). */
export const GET_CONVERSATION = `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $2 AND user_id = $1`;

/** Messages after a sequence, in order ($1 conversation, $2 after, $3 limit). */
export const LIST_MESSAGES = `SELECT ${MESSAGE_COLUMNS} FROM conversation_messages
WHERE conversation_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`;

/** Most recently updated conversations first ($1 user, $2 limit). */
export const LIST_CONVERSATIONS = `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE user_id = $1
ORDER BY updated_at DESC, id DESC LIMIT $2`;

/** Same, after a keyset cursor ($3 updated_at, $4 id). */
export const LIST_CONVERSATIONS_AFTER = `SELECT ${CONVERSATION_COLUMNS} FROM conversations
WHERE user_id = $1 AND (updated_at, id) < ($3::timestamptz, $4::uuid)
ORDER BY updated_at DESC, id DESC LIMIT $2`;

/** The user's stats row ($1 user). */
export const GET_USER_STATS = `SELECT user_id, fact_count, conversation_count, message_count, search_count,
  first_seen, last_active FROM user_stats WHERE user_id = $1`;

/** Counts a search ($1 user). */
export const RECORD_SEARCH = `INSERT INTO user_stats AS s (user_id, search_count) VALUES ($1, 1)
ON CONFLICT (user_id) DO UPDATE SET search_count = s.search_count + 1, last_active = now()`;

/**
 * Deletes everything of one user and counts it. Messages go with their conversations (ON
 * DELETE CASCADE); they are counted in the same snapshot, which the user lock keeps exact.
 */
export const FORGET_USER = `WITH f AS (
  DELETE FROM memory_facts WHERE user_id = $1 RETURNING 1
), m AS (
  SELECT count(*) AS n FROM conversation_messages
  WHERE conversation_id IN (SELECT id FROM conversations WHERE user_id = $1)
), c AS (
  DELETE FROM conversations WHERE user_id = $1 RETURNING 1
), s AS (
  DELETE FROM user_stats WHERE user_id = $1 RETURNING 1
)
SELECT (SELECT count(*) FROM f) AS facts, (SELECT n FROM m) AS messages,
  (SELECT count(*) FROM c) AS conversations, (SELECT count(*) FROM s) AS user_stats`;
