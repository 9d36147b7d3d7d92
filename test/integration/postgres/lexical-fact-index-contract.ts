import { Bm25Index } from '../../../src/adapters/embedded-vectors/bm25-index';
/**
 * RecallFacts' lexical side (migration 005_fact_terms) on every SqlClient: run against real
 * PostgreSQL and against PGlite by the repositories-*.test.ts files next to this one.
 */
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
}
