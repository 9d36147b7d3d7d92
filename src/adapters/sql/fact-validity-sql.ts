/**
 * SQL of facts' versions and expiry (SupersedeFact, GetFactHistory, the expiry sweeper and
 * AddFacts over an expired duplicate), shared verbatim by PostgreSQL and PGlite. The locking
 * rule is memory-sql.ts's: the user's fact lock first, then the user's stats row.
 */
import { FACT_COLUMNS } from './memory-rows';
import { LOCK_USER_FACTS, NEW_FACT_STAMP } from './memory-sql';

/** Takes the user's fact lock if nobody holds it ($1 user): LOCK_USER_FACTS's very key, tried. */
export const TRY_LOCK_USER_FACTS = `${LOCK_USER_FACTS.replace('pg_advisory_xact_lock', 'pg_try_advisory_xact_lock')} AS locked`;

/**
 * Deletes the user's facts among ids that have expired, keeping fact_count equal ($1 user,
 * $2 uuid[]). Not user activity: last_active stays.
 */
export const DELETE_EXPIRED_FACTS = `WITH del AS (
  DELETE FROM memory_facts WHERE user_id = $1 AND id = ANY ($2::uuid[]) AND expires_at <= now() RETURNING id
), bump AS (
  UPDATE user_stats SET fact_count = fact_count - (SELECT count(*) FROM del), ${NEW_FACT_STAMP}
  WHERE user_id = $1 AND EXISTS (SELECT 1 FROM del)
)
SELECT id FROM del`;

/**
 * Locks one of the user's facts for SupersedeFact, with what decides whether it may be
 * superseded at $3 (null: now, and never at or before its valid_from) ($1 user, $2 id).
 */
export const LOCK_FACT_VERSION = `SELECT ${FACT_COLUMNS}, lineage_id, content_normalized,
  coalesce(expires_at <= now(), false) AS expired,
  coalesce(valid_until <= now(), false) AS ended,
  coalesce($3::timestamptz, greatest(now(), valid_from + interval '1 millisecond')) AS at
FROM memory_facts WHERE user_id = $1 AND id = $2 FOR UPDATE`;

/** Closes a version at $3 and links it to its successor $4 ($1 user, $2 id). */
export const CLOSE_FACT_VERSION = `UPDATE memory_facts SET valid_until = $3, superseded_by = $4
WHERE user_id = $1 AND id = $2 RETURNING ${FACT_COLUMNS}`;

/** Links an ended latest version to its successor $3, keeping its valid_until ($1 user, $2 id). */
export const CLOSE_ENDED_FACT = `UPDATE memory_facts SET superseded_by = $3
WHERE user_id = $1 AND id = $2 AND superseded_by IS NULL RETURNING lineage_id`;

/**
 * Inserts the next version of a lineage unless a current fact has its content, and counts it
 * ($1 user, $2 id, $3 lineage, $4 content, $5 normalised, $6 source, $7 confidence,
 * $8 metadata json, $9 valid_from, $10 valid_until, $11 expires_at).
 */
export const INSERT_FACT_VERSION = `WITH ins AS (
  INSERT INTO memory_facts (id, user_id, lineage_id, content, content_normalized, source, confidence,
    metadata, valid_from, valid_until, expires_at)
  VALUES ($2, $1, $3, $4, $5, $6, $7, $8::jsonb, coalesce($9::timestamptz, now()), $10, $11)
  ON CONFLICT (user_id, md5(content_normalized)) WHERE superseded_by IS NULL DO NOTHING
  RETURNING ${FACT_COLUMNS}
), bump AS (
  UPDATE user_stats SET fact_count = fact_count + (SELECT count(*) FROM ins), last_active = now(), ${NEW_FACT_STAMP}
  WHERE user_id = $1
)
SELECT * FROM ins`;

/** The current fact of the user with this normalised content, if any ($1 user, $2 text). */
export const CURRENT_FACT_WITH_CONTENT = `SELECT id, coalesce(expires_at <= now(), false) AS expired
FROM memory_facts WHERE user_id = $1 AND superseded_by IS NULL
  AND md5(content_normalized) = md5($2) AND content_normalized = $2`;

/** Every unexpired version of the lineage of the user's unexpired fact $2, oldest first ($1 user). */
export const FACT_HISTORY = `SELECT ${FACT_COLUMNS} FROM memory_facts
WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > now()) AND lineage_id = (
  SELECT lineage_id FROM memory_facts
  WHERE user_id = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())
)
ORDER BY valid_from, created_at, id`;

/** Owners of expired facts, one row per fact, those that expired first first ($1 limit). */
export const EXPIRED_FACT_OWNERS = `SELECT user_id FROM memory_facts
WHERE expires_at <= now() ORDER BY expires_at LIMIT $1`;

/** Deletes up to $2 of the user's expired facts, keeping fact_count equal ($1 user). */
export const SWEEP_USER_FACTS = `WITH del AS (
  DELETE FROM memory_facts WHERE id IN (
    SELECT id FROM memory_facts WHERE user_id = $1 AND expires_at <= now() ORDER BY expires_at LIMIT $2
  ) RETURNING id
), bump AS (
  UPDATE user_stats SET fact_count = fact_count - (SELECT count(*) FROM del), ${NEW_FACT_STAMP}
  WHERE user_id = $1 AND EXISTS (SELECT 1 FROM del)
)
SELECT id FROM del`;
