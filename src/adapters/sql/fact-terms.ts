import type { CallContext } from '../../domain/context';
import type { LexicalFactIndex, ScoredFactId } from '../../domain/ports';
import { lexicalTokens, termCounts } from '../rerankers/lexical-tokens';
import { type PostingsRow, readPostingsRows, scoreTriples } from './fact-bm25';
import { type SnapshotCache, buildSnapshot, createSnapshotCache, scoreSnapshot } from './fact-term-snapshots';
import * as sql from './fact-terms-sql';
import { LOCK_USER_FACTS } from './memory-sql';
import type { SqlClient, SqlTx } from './sql-client';

/** Longer terms are cut to this many characters, in facts and queries alike (a B-tree key must stay small). */
const MAX_TERM_LENGTH = 128;
/** Facts indexed per statement when a user's older facts are indexed on first recall. */
const BACKFILL_BATCH = 500;

/** A fact to index: its id and text. */
export interface IndexableFact {
  id: string;
  content: string;
}

/** The text's terms with their counts, and its length in tokens: the analyzer of Search's lexical side. */
export function analyze(text: string): { terms: Map<string, number>; length: number } {
  const tokens = lexicalTokens(text).map((t) => (t.length > MAX_TERM_LENGTH ? t.slice(0, MAX_TERM_LENGTH) : t));
  return { terms: termCounts(tokens), length: tokens.length };
}

/**
 * Writes the lexical index entries of the user's facts inside the transaction that stores
 * them (AddFacts), so a fact and its terms commit or roll back together. Entries that exist
 * are kept.
 */
export async function writeFactTerms(tx: SqlTx, userId: string, facts: readonly IndexableFact[]): Promise<void> {
  if (facts.length === 0) return;
  const ids: string[] = [];
  const lengths: number[] = [];
  const terms: string[] = [];
  const termFacts: string[] = [];
  const tfs: number[] = [];
  const termLengths: number[] = [];
  for (const fact of facts) {
    const { terms: counts, length } = analyze(fact.content);
    ids.push(fact.id);
    lengths.push(length);
    for (const [term, tf] of counts) {
      terms.push(term);
      termFacts.push(fact.id);
      tfs.push(tf);
      termLengths.push(length);
    }
  }
  await tx.query(sql.INSERT_FACT_TERMS, [userId, ids, lengths, terms, termFacts, tfs, termLengths]);
}

/**
 * Indexes the user's facts stored before migration 005, in batches, under the user's fact lock
 * (so no DeleteFacts or ForgetUser interleaves).
 */
async function indexMissing(client: SqlClient, userId: string, ctx: CallContext): Promise<void> {
  await client.transaction('index_fact_terms', ctx, async (tx) => {
    await tx.query(LOCK_USER_FACTS, [userId]);
    for (;;) {
      const batch = await tx.query<IndexableFact>(sql.SELECT_UNINDEXED_FACTS, [userId, BACKFILL_BATCH]);
      await writeFactTerms(tx, userId, batch);
      if (batch.length < BACKFILL_BATCH) return;
    }
  });
}

/** The postings rows of `statement` ($1 the user), after indexing the user's facts that still need it. */
async function postingsOf(
  client: SqlClient,
  operation: string,
  statement: string,
  params: [string, ...unknown[]],
  ctx: CallContext,
) {
  let read = readPostingsRows(await client.query<PostingsRow>(operation, statement, params, ctx));
  if (read.counts.facts > read.counts.indexed) {
    await indexMissing(client, params[0], ctx);
    read = readPostingsRows(await client.query<PostingsRow>(operation, statement, params, ctx));
  }
  return read;
}

/** The user's stamp now, as the database has it (null: the user has no stats row). */
async function currentStamp(client: SqlClient, userId: string, ctx: CallContext): Promise<string | null> {
  const [row] = await client.query<{ stamp: string }>('recall_facts_stamp', sql.SELECT_FACT_STAMP, [userId], ctx);
  return row?.stamp ?? null;
}

/**
 * The lexical fact index on a SqlClient (PostgreSQL or PGlite). A user's facts stored before
 * migration 005 have no terms yet: the first search that finds some indexes them all, in
 * batches, under the user's fact lock (so no DeleteFacts or ForgetUser interleaves), then
 * searches again.
 *
 * A search runs one statement for the postings of the query's terms. A user whose memory
 * stamp (migration 007) is unchanged since their last search gets a snapshot of all their
 * postings instead, kept in process (fact-term-snapshots.ts); their later searches cost one
 * check of the stamp — none at all on a database only this process writes (PGlite) while it
 * has been given no write since the last check — and score exactly as the statement would.
 */
export function createSqlLexicalFactIndex(
  client: SqlClient,
  snapshots: SnapshotCache = createSnapshotCache(),
): LexicalFactIndex {
  /**
   * The user's hits from a snapshot when one is current here, or from a new snapshot when the
   * stamp has not moved since the user's last search; undefined: run the statement.
   */
  async function fromSnapshot(userId: string, terms: Map<string, number>, limit: number, ctx: CallContext) {
    if (!snapshots.keeps || snapshots.tooLarge(userId)) return undefined;
    // Taken first: a ForgetUser here from now on means what is read below must not be kept.
    const epoch = snapshots.epoch();
    const kept = snapshots.get(userId);
    // A database only this process writes (PGlite) has not changed since the count last stood here.
    const changes = client.changes?.();
    if (kept && changes !== undefined && kept.checkedAt === changes) return scoreSnapshot(kept, terms, limit);
    const last = snapshots.lastStamp(userId);
    if (!kept && (last === undefined || last === null)) return undefined;
    const stamp = await currentStamp(client, userId, ctx);
    if (kept && stamp === kept.stamp) {
      kept.checkedAt = changes;
      return scoreSnapshot(kept, terms, limit);
    }
    if (kept) snapshots.drop(userId);
    if (stamp === null || stamp !== last || snapshots.tooManyFacts(userId, snapshots.lastIndexed(userId))) {
      return undefined;
    }
    const { postings, counts } = await postingsOf(
      client,
      'recall_facts_snapshot',
      sql.SELECT_USER_POSTINGS,
      [userId],
      ctx,
    );
    if (counts.stamp === null) return undefined;
    const snapshot = buildSnapshot(counts.stamp, counts, postings);
    snapshot.checkedAt = changes;
    snapshots.put(userId, snapshot, epoch);
    return scoreSnapshot(snapshot, terms, limit);
  }

  return {
    async search(userId, query, limit, ctx): Promise<ScoredFactId[]> {
      const { terms } = analyze(query);
      if (terms.size === 0 || limit <= 0) return [];
      const cached = await fromSnapshot(userId, terms, limit, ctx);
      if (cached) return cached;
      const { postings, counts } = await postingsOf(
        client,
        'recall_facts_lexical',
        sql.SELECT_FACT_POSTINGS,
        [userId, [...terms.keys()]],
        ctx,
      );
      snapshots.saw(userId, counts.stamp, counts.indexed);
      return scoreTriples(postings, counts, terms, limit);
    },

    forgetUser(userId) {
      snapshots.forget(userId);
    },
  };
}
