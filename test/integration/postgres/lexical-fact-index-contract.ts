import { Bm25Index } from '../../../src/adapters/embedded-vectors/bm25-index';
/**
 * RecallFacts' lexical side (migration 005_fact_terms) on every SqlClient: run against real
 * PostgreSQL and against PGlite by the repositories-*.test.ts files next to this one.
 */
import { createSnapshotCache } from '../../../src/adapters/sql/fact-term-snapshots';
import { createSqlLexicalFactIndex } from '../../../src/adapters/sql/fact-terms';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import type { LexicalFactIndex, MemoryRepository } from '../../../src/domain/ports';
import { ctx, fact, newUser } from './contract-helpers';

const FACTS = [
  'Moved to Lisbon in March 2024 for a new job',
  'Invoices are paid on the first Monday of the month',
  'Allergic to peanuts; carries an EpiPen',
  'Plays the cello in an amateur orchestra',
  'Her cat is called Zorblax',
  '正在学习机器学习',
];

/** BM25 per user, the same analyzer and scores as the embedded store, and rows that follow their facts. */
export function lexicalFactIndexContract(getClient: () => SqlClient): void {
  let client: SqlClient;
  let repo: MemoryRepository;
  let index: LexicalFactIndex;
  beforeAll(() => {
    client = getClient();
    repo = createSqlMemoryRepository(client);
    index = createSqlLexicalFactIndex(client);
  });

  const postings = async (userId: string) => {
    const [row] = await client.query<{ terms: string; lengths: string }>(
      'test_postings',
      `SELECT (SELECT count(*) FROM memory_fact_terms WHERE user_id = $1) AS terms,
              (SELECT count(*) FROM memory_fact_lengths WHERE user_id = $1) AS lengths`,
      [userId],
      ctx,
    );
    return { terms: Number(row!.terms), lengths: Number(row!.lengths) };
  };

  test('scores equal the embedded BM25 index on the same facts: stemming, CJK bigrams, repeated query terms', async () => {
    const user = newUser();
    const stored = (await repo.addFacts(user, FACTS.map(fact), ctx)).facts;
    const reference = new Bm25Index();
    for (const f of stored) reference.put(f.id, f.content);
    for (const query of ['invoice paid', 'zorblax', 'lisbon job job', '学习', 'cello orchestra peanuts']) {
      const got = await index.search(user, query, 10, ctx);
      const want = reference.best(query, 10);
      expect(got.map((h) => h.factId)).toEqual(want.map((h) => h.id));
      got.forEach((hit, i) => expect(hit.score).toBeCloseTo(want[i]!.score, 9));
    }
    const [best] = await index.search(user, 'invoiced payments', 3, ctx);
    expect(best?.factId).toBe(stored[1]!.id);
  });

  test('a term in every fact, query terms named like the counts rows, and ties: scores and order equal the embedded index', async () => {
    const user = newUser();
    // As a conversation's turns: the speaker's name in every fact, some facts alike but for one word.
    const contents = Array.from({ length: 150 }, (_, i) =>
      i % 3 === 0 ? `Caroline: the facts are indexed, take ${i % 7}` : `Caroline: went hiking with friend number ${i}`,
    );
    const stored = (await repo.addFacts(user, contents.map(fact), ctx)).facts;
    const reference = new Bm25Index();
    for (const f of stored) reference.put(f.id, f.content);
    for (const query of [
      'Caroline',
      'What did Caroline say about indexed facts?',
      'facts indexed take hiking',
      'friend 12',
    ]) {
      const got = await index.search(user, query, 500, ctx);
      // Equal scores rank by fact id here (the embedded index keeps insertion order).
      const want = reference.best(query, 500).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
      expect(got.map((h) => h.factId)).toEqual(want.map((h) => h.id));
      got.forEach((hit, i) => expect(hit.score).toBeCloseTo(want[i]!.score, 9));
      expect(await index.search(user, query, 40, ctx)).toEqual(got.slice(0, 40));
    }
    // Identical contents are one fact.
    expect(await index.search(user, 'Caroline', 500, ctx)).toHaveLength(new Set(stored.map((f) => f.id)).size);
  });

  test("a user's scores and hits ignore every other user's facts", async () => {
    const user = newUser();
    const other = newUser();
    const mine = (await repo.addFacts(user, FACTS.map(fact), ctx)).facts;
    const before = await index.search(user, 'cello lisbon', 10, ctx);
    // Many facts sharing the query's terms under another user: they would change IDF if counted.
    await repo.addFacts(
      other,
      Array.from({ length: 60 }, (_, i) => fact(`cello lesson ${i} in Lisbon`)),
      ctx,
    );
    const after = await index.search(user, 'cello lisbon', 10, ctx);
    expect(after).toEqual(before);
    const ids = new Set(mine.map((f) => f.id));
    expect(after.every((hit) => ids.has(hit.factId))).toBe(true);
    expect(await index.search(user, 'lesson', 10, ctx)).toEqual([]);
  });

  test('DeleteFacts and ForgetUser take the postings with the facts; ForgetUser counts stay exact', async () => {
    const user = newUser();
    const stored = (await repo.addFacts(user, FACTS.map(fact), ctx)).facts;
    await repo.deleteFacts(user, [stored[4]!.id], ctx);
    expect(await index.search(user, 'zorblax', 10, ctx)).toEqual([]);
    expect((await postings(user)).lengths).toBe(FACTS.length - 1);
    const counts = await repo.forgetUser(user, ctx);
    expect(counts.facts).toBe(FACTS.length - 1);
    expect(await postings(user)).toEqual({ terms: 0, lengths: 0 });
    expect(await index.search(user, 'cello', 10, ctx)).toEqual([]);
  });

  test('facts stored before the index existed are indexed by their first lexical recall', async () => {
    const user = newUser();
    const stored = (await repo.addFacts(user, FACTS.map(fact), ctx)).facts;
    const want = await index.search(user, 'peanuts cello', 10, ctx);
    // As after migrating a database whose facts predate 005_fact_terms.
    await client.query('test_unindex', 'DELETE FROM memory_fact_lengths WHERE user_id = $1', [user], ctx);
    await client.query('test_unindex', 'DELETE FROM memory_fact_terms WHERE user_id = $1', [user], ctx);
    expect(await index.search(user, 'peanuts cello', 10, ctx)).toEqual(want);
    expect((await postings(user)).lengths).toBe(stored.length);
  });

  test('a duplicate AddFacts leaves one set of postings', async () => {
    const user = newUser();
    await repo.addFacts(user, [fact('Plays the cello')], ctx);
    const once = await postings(user);
    await repo.addFacts(user, [fact('plays the CELLO'), fact('Plays the cello')], ctx);
    expect(await postings(user)).toEqual(once);
    expect(await index.search(user, 'cello', 10, ctx)).toHaveLength(1);
  });

  describe("snapshots of a user's postings kept in process (fact-term-snapshots.ts)", () => {
    /** Records the operations a client runs, to count statements. */
    const recording = () => {
      const operations: string[] = [];
      const recorded: SqlClient = {
        ...client,
        kind: client.kind,
        query: (operation, text, params, c) => {
          operations.push(operation);
          return client.query(operation, text, params, c);
        },
        transaction: (operation, c, fn) => {
          operations.push(operation);
          return client.transaction(operation, c, fn);
        },
      };
      return { operations, recorded };
    };
    /** The statement path alone: a cache that never keeps a snapshot. */
    const uncached = () => createSqlLexicalFactIndex(client, createSnapshotCache({ maxPostings: 0 }));

    test('a user whose memory did not change is scored from a snapshot after one stamp check, exactly as the statement scores', async () => {
      const user = newUser();
      await repo.addFacts(user, [...FACTS, 'Cello lessons every Tuesday', 'The cello is a Guarneri'].map(fact), ctx);
      const cache = createSnapshotCache();
      const { operations, recorded } = recording();
      const kept = createSqlLexicalFactIndex(recorded, cache);
      const queries = ['cello', 'cello cello lessons', 'lisbon job', '学习', 'zorblax tuesday', 'nothing here'];
      const want = [];
      for (const query of queries) want.push(await uncached().search(user, query, 10, ctx));
      const got = [];
      for (const query of queries) got.push(await kept.search(user, query, 10, ctx));
      expect(got).toEqual(want);
      expect(cache.size().users).toBe(1);
      // First a statement; then the stamp is unchanged, so the second search loads the snapshot.
      expect(operations.slice(0, 3)).toEqual(['recall_facts_lexical', 'recall_facts_stamp', 'recall_facts_snapshot']);
      // Later ones check the stamp — except on a database only this process writes (PGlite)
      // that has been given no write since: then nothing at all.
      const later = client.changes ? [] : Array(queries.length - 2).fill('recall_facts_stamp');
      expect(operations.slice(3)).toEqual(later);
      if (!client.changes) return;
      // One write anywhere in the process, and the next search checks the stamp again.
      await client.query('test_write', 'UPDATE user_stats SET last_active = now() WHERE user_id = $1', [user], ctx);
      expect(await kept.search(user, 'cello', 10, ctx)).toEqual(want[0]);
      expect(operations.slice(3 + later.length)).toEqual(['recall_facts_stamp']);
    });

    test("another replica's AddFacts, DeleteFacts, SupersedeFact, sweep and ForgetUser are seen by the next search", async () => {
      const user = newUser();
      const stored = (await repo.addFacts(user, FACTS.map(fact), ctx)).facts;
      const cache = createSnapshotCache();
      const kept = createSqlLexicalFactIndex(client, cache);
      const check = async (query: string) => {
        const got = await kept.search(user, query, 10, ctx);
        expect(got).toEqual(await uncached().search(user, query, 10, ctx));
        return got.map((hit) => hit.factId);
      };
      const warm = async () => {
        for (let i = 0; i < 3; i++) await check('cello violin lisbon');
        expect(cache.size().users).toBe(1);
      };

      await warm();
      const [added] = (await repo.addFacts(user, [fact('Switched from the cello to the violin')], ctx)).facts;
      expect(await check('violin')).toEqual([added!.id]);

      await warm();
      await repo.deleteFacts(user, [added!.id], ctx);
      expect(await check('violin')).toEqual([]);

      await warm();
      const cello = stored[3]!;
      const moved = await repo.supersedeFact(
        user,
        cello.id,
        fact('Plays the violin in a string quartet'),
        undefined,
        ctx,
      );
      expect(await check('violin quartet')).toEqual([moved.current.id]);

      await warm();
      const [soon] = (
        await repo.addFacts(
          user,
          [{ ...fact('Parking permit for zone violin'), expiresAt: new Date(Date.now() - 1) }],
          ctx,
        )
      ).facts;
      await warm();
      expect(await check('parking permit')).toEqual([soon!.id]);
      expect(await repo.sweepExpiredFacts(user, 10, ctx, async () => undefined)).toEqual([soon!.id]);
      expect(await check('parking permit')).toEqual([]);

      await warm();
      await repo.forgetUser(user, ctx);
      expect(await check('cello violin lisbon')).toEqual([]);
      expect(cache.size().users).toBe(0);
    });

    test('a user too large to keep is searched by statement: read whole at most once', async () => {
      const user = newUser();
      await repo.addFacts(user, FACTS.map(fact), ctx);
      const searches = async (maxPostings: number) => {
        const cache = createSnapshotCache({ maxPostings });
        const { operations, recorded } = recording();
        const index = createSqlLexicalFactIndex(recorded, cache);
        for (let i = 0; i < 4; i++) {
          const want = await uncached().search(user, 'cello lisbon', 10, ctx);
          expect(await index.search(user, 'cello lisbon', 10, ctx)).toEqual(want);
        }
        expect(cache.size().users).toBe(0);
        return operations;
      };
      // More facts than a quarter of the bound: known too large from the statement's counts.
      expect(await searches(8)).toEqual([
        'recall_facts_lexical',
        'recall_facts_stamp',
        'recall_facts_lexical',
        'recall_facts_lexical',
        'recall_facts_lexical',
      ]);
      // Few enough facts, too many postings: read once, found too large, not read again.
      expect(await searches(40)).toEqual([
        'recall_facts_lexical',
        'recall_facts_stamp',
        'recall_facts_snapshot',
        'recall_facts_lexical',
        'recall_facts_lexical',
      ]);
    });

    test('ForgetUser on this replica drops the snapshot at once, even one read while it ran', async () => {
      const user = newUser();
      await repo.addFacts(user, FACTS.map(fact), ctx);
      const cache = createSnapshotCache();
      const kept = createSqlLexicalFactIndex(client, cache);
      for (let i = 0; i < 3; i++) await kept.search(user, 'cello', 10, ctx);
      expect(cache.size()).toMatchObject({ users: 1 });
      kept.forgetUser?.(user);
      expect(cache.size()).toEqual({ users: 0, postings: 0 });

      // A snapshot whose statement was under way when ForgetUser came is not kept.
      await kept.search(user, 'cello', 10, ctx);
      const loading = kept.search(user, 'cello', 10, ctx);
      kept.forgetUser?.(user);
      expect(await loading).toHaveLength(1);
      expect(cache.size().users).toBe(0);
    });
  });
}
