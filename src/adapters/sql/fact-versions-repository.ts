import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../domain/context';
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  defined,
} from '../../domain/errors';
import type { Fact, MemoryRepository, NewFact, SupersedeResult, UserFactsStep } from '../../domain/ports';
import { isUuid } from '../../domain/validation';
import * as vsql from './fact-validity-sql';
import { type FactRow, toFact } from './memory-rows';
import * as sql from './memory-sql';
import { normalizeFactContent } from './normalize';
import type { SqlClient, SqlTx } from './sql-client';

type VersionRow = FactRow & { lineage_id: string; expired: boolean; ended: boolean; at: Date };

/** The MemoryRepository methods of facts' versions and expiry, on a SqlClient. */
export type FactVersionMethods = Pick<
  MemoryRepository,
  'supersedeFact' | 'factHistory' | 'expiredFactOwners' | 'sweepExpiredFacts'
>;

/** Creates them; see memory-repository.ts for the rest of the repository. */
export function createSqlFactVersionMethods(client: SqlClient): FactVersionMethods {
  return {
    async supersedeFact(userId, factId, fact, at, ctx, inTransaction): Promise<SupersedeResult> {
      if (!isUuid(factId)) throw new NotFoundError(`fact ${factId} not found`);
      return client.transaction('supersede_fact', ctx, async (tx) => {
        await tx.query(sql.LOCK_USER_FACTS, [userId]);
        await tx.query(sql.LOCK_USER, [userId]);
        const [old] = await tx.query<VersionRow>(vsql.LOCK_FACT_VERSION, [userId, factId, at ?? null]);
        if (!old || old.expired) throw new NotFoundError(`fact ${factId} not found`);
        checkSupersedable(old, at, fact);
        const normalized = normalizeFactContent(fact.content);
        const expiredIds = await clearContent(tx, userId, normalized, factId);
        const id = randomUUID();
        const [closed] = await tx.query<FactRow>(vsql.CLOSE_FACT_VERSION, [userId, factId, old.at, id]);
        const [inserted] = await tx.query<FactRow>(vsql.INSERT_FACT_VERSION, [
          userId,
          id,
          old.lineage_id,
          fact.content,
          normalized,
          fact.source,
          fact.confidence,
          JSON.stringify(fact.metadata ?? {}),
          old.at,
          fact.validUntil ?? null,
          fact.expiresAt ?? null,
        ]);
        if (!inserted) throw new AlreadyExistsError('a current fact of the user already has this content');
        const result: SupersedeResult = {
          previous: toFact(defined(closed, 'the closed version row')),
          current: toFact(inserted),
          expiredIds,
        };
        await inTransaction?.(result);
        return result;
      });
    },

    async factHistory(userId: string, factId: string, ctx: CallContext): Promise<Fact[]> {
      if (!isUuid(factId)) return [];
      return (await client.query<FactRow>('fact_history', vsql.FACT_HISTORY, [userId, factId], ctx)).map(toFact);
    },

    async expiredFactOwners(limit: number, ctx: CallContext): Promise<string[]> {
      const rows = await client.query<{ user_id: string }>(
        'expired_fact_owners',
        vsql.EXPIRED_FACT_OWNERS,
        [limit],
        ctx,
      );
      return [...new Set(rows.map((row) => row.user_id))];
    },

    async sweepExpiredFacts(
      userId: string,
      limit: number,
      ctx: CallContext,
      inTransaction: UserFactsStep<string[]>,
    ): Promise<string[] | undefined> {
      return client.transaction('sweep_expired_facts', ctx, async (tx) => {
        const [lock] = await tx.query<{ locked: boolean }>(vsql.TRY_LOCK_USER_FACTS, [userId]);
        if (!lock?.locked) return undefined;
        await tx.query(sql.LOCK_USER, [userId]);
        const deleted = (await tx.query<{ id: string }>(vsql.SWEEP_USER_FACTS, [userId, limit])).map((row) => row.id);
        if (deleted.length > 0) await inTransaction(deleted);
        return deleted;
      });
    },
  };
}

/** The latest version of a fact AddFacts found with an input's content, and its state. */
export type LatestFactRow = FactRow & { content_normalized: string; expired: boolean; ended: boolean };

/**
 * AddFacts' duplicates that are no duplicates: a latest version that expired (not swept yet)
 * is deleted and the content inserted anew by `insert` (the vector goes in AddFacts' step,
 * by `expiredIds`); one that ended becomes the new fact's previous version (restateEndedFacts).
 * Resolves to the rows inserted, the expired ids deleted, and the true duplicates left.
 */
export async function replaceStaleDuplicates(
  tx: SqlTx,
  userId: string,
  latest: LatestFactRow[],
  factOf: (normalized: string) => NewFact,
  insert: (facts: NewFact[], normalized: string[]) => Promise<Array<FactRow & { content_normalized: string }>>,
): Promise<{
  inserted: Array<FactRow & { content_normalized: string }>;
  expiredIds: string[];
  existing: LatestFactRow[];
}> {
  const expired = latest.filter((row) => row.expired);
  const ended = latest.filter((row) => !row.expired && row.ended);
  const inserted: Array<FactRow & { content_normalized: string }> = [];
  let expiredIds: string[] = [];
  if (expired.length > 0) {
    const ids = expired.map((row) => row.id);
    expiredIds = (await tx.query<{ id: string }>(vsql.DELETE_EXPIRED_FACTS, [userId, ids])).map((row) => row.id);
    const keys = expired.map((row) => row.content_normalized);
    inserted.push(...(await insert(keys.map(factOf), keys)));
  }
  if (ended.length > 0) inserted.push(...(await restateEndedFacts(tx, userId, ended, factOf)));
  return { inserted, expiredIds, existing: latest.filter((row) => !row.expired && !row.ended) };
}

/**
 * AddFacts over a fact whose validity ended (valid_until past) and that was never superseded:
 * the content holds again, so it is stored as that fact's next version (same lineage, the
 * ended one linked to it) rather than answered with the ended fact. One statement pair per
 * fact: this path is rare. Resolves to the new rows, with their normalised contents.
 */
async function restateEndedFacts(
  tx: SqlTx,
  userId: string,
  ended: Array<{ id: string; content_normalized: string }>,
  factOf: (normalized: string) => NewFact,
): Promise<Array<FactRow & { content_normalized: string }>> {
  const rows: Array<FactRow & { content_normalized: string }> = [];
  for (const old of ended) {
    const fact = factOf(old.content_normalized);
    const id = randomUUID();
    const [{ lineage_id } = { lineage_id: '' }] = await tx.query<{ lineage_id: string }>(vsql.CLOSE_ENDED_FACT, [
      userId,
      old.id,
      id,
    ]);
    const [row] = await tx.query<FactRow>(vsql.INSERT_FACT_VERSION, [
      userId,
      id,
      lineage_id,
      fact.content,
      old.content_normalized,
      fact.source,
      fact.confidence,
      JSON.stringify(fact.metadata ?? {}),
      fact.validFrom ?? null,
      fact.validUntil ?? null,
      fact.expiresAt ?? null,
    ]);
    if (!row) throw new Error('add_facts: restating an ended fact conflicted');
    rows.push({ ...row, content_normalized: old.content_normalized });
  }
  return rows;
}

/** FailedPreconditionError unless the locked version may be superseded at its `at`. */
function checkSupersedable(old: VersionRow, at: Date | undefined, fact: NewFact): void {
  if (old.superseded_by) {
    throw new FailedPreconditionError(`fact ${old.id} is not current: superseded by ${old.superseded_by}`);
  }
  if (old.ended)
    throw new FailedPreconditionError(`fact ${old.id} is not current: it ended at ${iso(old.valid_until)}`);
  if (at && at.getTime() <= old.valid_from.getTime()) {
    throw new FailedPreconditionError(`at must be after the fact's valid_from (${iso(old.valid_from)})`);
  }
  if (at && old.valid_until && at.getTime() > old.valid_until.getTime()) {
    throw new FailedPreconditionError(`at must not be after the fact's valid_until (${iso(old.valid_until)})`);
  }
  if (fact.validUntil && fact.validUntil.getTime() <= old.at.getTime()) {
    throw InvalidArgumentError.of('fact.valid_until', "must be after the new version's valid_from (at)");
  }
}

/**
 * Makes room for `normalized` among the user's current facts: an expired one with it is
 * deleted (its id returned, for its vector), the one being superseded may keep it until it
 * is closed, any other is AlreadyExistsError.
 */
async function clearContent(tx: SqlTx, userId: string, normalized: string, supersededId: string): Promise<string[]> {
  const [holder] = await tx.query<{ id: string; expired: boolean }>(vsql.CURRENT_FACT_WITH_CONTENT, [
    userId,
    normalized,
  ]);
  if (!holder || holder.id === supersededId) return [];
  if (!holder.expired) throw new AlreadyExistsError(`fact ${holder.id} of the user already has this content`);
  return (await tx.query<{ id: string }>(vsql.DELETE_EXPIRED_FACTS, [userId, [holder.id]])).map((row) => row.id);
}

function iso(date: Date | null): string {
  return date ? date.toISOString() : '';
}
