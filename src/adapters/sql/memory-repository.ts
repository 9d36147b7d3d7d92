import type { CallContext } from '../../domain/context';
import { defined } from '../../domain/errors';
import type { AddFactsResult, Fact, FactView, ForgetUserCounts, MemoryRepository, UserStats } from '../../domain/ports';
import { isUuid } from '../../domain/validation';
import { createSqlConversationMethods } from './conversation-repository';
import { writeFactTerms } from './fact-terms';
import { createSqlFactVersionMethods, replaceStaleDuplicates } from './fact-versions-repository';
import type { LatestFactRow } from './fact-versions-repository';
import { type FactRow, type UserStatsRow, cursorParams, toFact, toUserStats } from './memory-rows';
import * as sql from './memory-sql';
import { normalizeFactContent } from './normalize';
import type { SqlClient } from './sql-client';

type NormalizedFactRow = FactRow & { content_normalized: string };

/** A FactView as the SQL's ($history, $asOf) parameters. */
function viewParams(view: FactView | undefined): [boolean, Date | null] {
  return [view?.includeHistory ?? false, view?.asOf ?? null];
}

/**
 * MemoryRepository on a SqlClient (PostgreSQL or PGlite). Counters in user_stats change in
 * the same transaction as the rows they count; see memory-sql.ts for the locking rule.
 */
export function createSqlMemoryRepository(client: SqlClient): MemoryRepository {
  return {
    ...createSqlFactVersionMethods(client),
    addFacts: (userId, facts, ctx, inTransaction) => addFacts(client, userId, facts, ctx, inTransaction),

    async listFacts(userId, limit, after, ctx, view): Promise<Fact[]> {
      const rows = after
        ? await client.query<FactRow>(
            'list_facts',
            sql.LIST_FACTS_AFTER,
            [userId, limit, ...cursorParams(after), ...viewParams(view)],
            ctx,
          )
        : await client.query<FactRow>('list_facts', sql.LIST_FACTS, [userId, limit, ...viewParams(view)], ctx);
      return rows.map(toFact);
    },

    async getFacts(userId, ids, ctx, view): Promise<Fact[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return (await client.query<FactRow>('get_facts', sql.GET_FACTS, [userId, valid, ...viewParams(view)], ctx)).map(
        toFact,
      );
    },

    async deleteFacts(userId, ids, ctx, inTransaction): Promise<string[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return client.transaction('delete_facts', ctx, async (tx) => {
        await tx.query(sql.LOCK_USER_FACTS, [userId]);
        await tx.query(sql.LOCK_USER, [userId]);
        const deleted = (await tx.query<{ id: string }>(sql.DELETE_FACTS, [userId, valid])).map((row) => row.id);
        if (deleted.length > 0) await inTransaction?.(deleted);
        return deleted;
      });
    },

    async withMissingFacts(userId, ids, ctx, inTransaction): Promise<string[]> {
      if (ids.length === 0) return [];
      return client.transaction('collect_fact_orphans', ctx, async (tx) => {
        await tx.query(sql.LOCK_USER_FACTS, [userId]);
        const valid = ids.filter(isUuid);
        const found = valid.length > 0 ? await tx.query<{ id: string }>(sql.SELECT_FACT_IDS, [userId, valid]) : [];
        const present = new Set(found.map((row) => row.id));
        const missing = ids.filter((id) => !present.has(id));
        if (missing.length > 0) await inTransaction(missing);
        return missing;
      });
    },

    ...createSqlConversationMethods(client),

    async getUserStats(userId: string, ctx: CallContext): Promise<UserStats | undefined> {
      const [row] = await client.query<UserStatsRow>('get_user_stats', sql.GET_USER_STATS, [userId], ctx);
      return row ? toUserStats(row) : undefined;
    },

    async recordSearch(userId: string, ctx: CallContext): Promise<void> {
      await client.query('record_search', sql.RECORD_SEARCH, [userId], ctx);
    },

    forgetUser: (userId, ctx, beforeDelete) => forgetUser(client, userId, ctx, beforeDelete),
  };
}

/** One result per input: the row its normalised content inserted, or the one it duplicated. */
function toAddFactsResult(
  keys: string[],
  firstIndex: Map<string, number>,
  inserted: NormalizedFactRow[],
  existing: NormalizedFactRow[],
): AddFactsResult {
  const created = new Map(inserted.map((row) => [row.content_normalized, row]));
  const found = new Map(existing.map((row) => [row.content_normalized, row]));
  const result: AddFactsResult = { facts: [], createdFlags: [] };
  keys.forEach((key, i) => {
    const row = created.get(key) ?? found.get(key);
    if (!row) throw new Error('add_facts: a fact was neither inserted nor found (md5 collision?)');
    result.facts.push(toFact(row));
    result.createdFlags.push(created.has(key) && firstIndex.get(key) === i);
  });
  return result;
}

/**
 * AddFacts in one transaction under the user's locks: each normalised content once, a
 * duplicate of a current fact returned instead of inserted, the new facts' lexical terms
 * written, and `inTransaction` run (the vector writes) before the commit.
 */
async function addFacts(
  client: SqlClient,
  userId: string,
  facts: Parameters<MemoryRepository['addFacts']>[1],
  ctx: CallContext,
  inTransaction: Parameters<MemoryRepository['addFacts']>[3],
): Promise<AddFactsResult> {
  if (facts.length === 0) return { facts: [], createdFlags: [] };
  const keys = facts.map((fact) => normalizeFactContent(fact.content));
  // The first input with a given normalised content is the one offered for insertion.
  const firstIndex = new Map<string, number>();
  const offered = facts.filter((_, i) => {
    const key = keys[i] ?? '';
    if (firstIndex.has(key)) return false;
    firstIndex.set(key, i);
    return true;
  });
  return client.transaction('add_facts', ctx, async (tx) => {
    await tx.query(sql.LOCK_USER_FACTS, [userId]);
    await tx.query(sql.LOCK_USER_CREATING, [userId]);
    const insert = (rows: typeof offered, normalized: string[]) =>
      tx.query<NormalizedFactRow>(sql.INSERT_FACTS, [
        userId,
        rows.map((f) => f.content),
        normalized,
        rows.map((f) => f.source),
        rows.map((f) => f.confidence),
        rows.map((f) => JSON.stringify(f.metadata ?? {})),
        rows.map((f) => f.validFrom ?? null),
        rows.map((f) => f.validUntil ?? null),
        rows.map((f) => f.expiresAt ?? null),
      ]);
    const inserted = await insert(offered, [...firstIndex.keys()]);
    const insertedKeys = new Set(inserted.map((row) => row.content_normalized));
    const missing = [...firstIndex.keys()].filter((key) => !insertedKeys.has(key));
    let existing =
      missing.length > 0 ? await tx.query<LatestFactRow>(sql.SELECT_FACTS_BY_CONTENT, [userId, missing]) : [];
    // Latest versions that expired or ended do not make a duplicate (fact-versions-repository.ts).
    const stale = await replaceStaleDuplicates(
      tx,
      userId,
      existing,
      (key) => defined(facts[firstIndex.get(key) ?? -1], 'the input of a normalised content'),
      insert,
    );
    inserted.push(...stale.inserted);
    existing = stale.existing;
    await writeFactTerms(tx, userId, inserted);
    const result = toAddFactsResult(keys, firstIndex, inserted, existing);
    if (stale.expiredIds.length > 0) result.expiredIds = stale.expiredIds;
    await inTransaction?.(result);
    return result;
  });
}

/** ForgetUser: every row of the user in one transaction under its locks, `beforeDelete` (the vectors) first. */
async function forgetUser(
  client: SqlClient,
  userId: string,
  ctx: CallContext,
  beforeDelete: Parameters<MemoryRepository['forgetUser']>[2],
): Promise<ForgetUserCounts> {
  const [counted] = await client.transaction('forget_user', ctx, async (tx) => {
    await tx.query(sql.LOCK_USER_FACTS, [userId]);
    await tx.query(sql.LOCK_USER, [userId]);
    await beforeDelete?.();
    return tx.query<Record<'facts' | 'conversations' | 'messages' | 'user_stats', number | string>>(sql.FORGET_USER, [
      userId,
    ]);
  });
  const row = defined(counted, 'the forget_user counts row');
  return {
    facts: Number(row.facts),
    conversations: Number(row.conversations),
    messages: Number(row.messages),
    userStats: Number(row.user_stats),
  };
}
