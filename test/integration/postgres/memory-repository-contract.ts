/**
 * The repository behaviours every SqlClient must give, run against real PostgreSQL and
 * against PGlite by the two *.test.ts files next to this one. Each test uses its own user
 * ids, so tests share one migrated database.
 */
import { randomUUID } from 'node:crypto';
import { createSqlGoldenAnswerRepository } from '../../../src/adapters/sql/golden-answer-repository';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { backgroundContext } from '../../../src/domain/context';
import { AlreadyExistsError, NotFoundError } from '../../../src/domain/errors';
import type { MemoryRepository, NewFact, TimeCursor } from '../../../src/domain/ports';

const ctx = backgroundContext();
const newUser = () => `user-${randomUUID()}`;
const fact = (content: string): NewFact => ({ content, source: 'test', confidence: 0.75, metadata: { origin: 'test' } });

/** A small deterministic PRNG, so a failing mix can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** user_stats next to counts taken from the rows themselves. */
async function recount(client: SqlClient, userId: string) {
  const [row] = await client.query<Record<string, string | number>>(
    'test_recount',
    `SELECT (SELECT count(*) FROM memory_facts WHERE user_id = $1) AS facts,
            (SELECT count(*) FROM conversations WHERE user_id = $1) AS conversations,
            (SELECT count(*) FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
              WHERE c.user_id = $1) AS messages,
            (SELECT count(*) FROM conversations c WHERE c.user_id = $1 AND c.message_count <>
              (SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = c.id)) AS drifted`,
    [userId],
    ctx,
  );
  return {
    facts: Number(row!.facts),
    conversations: Number(row!.conversations),
    messages: Number(row!.messages),
    drifted: Number(row!.drifted),
  };
}

async function expectStatsMatchRows(client: SqlClient, repo: MemoryRepository, userId: string): Promise<void> {
  const rows = await recount(client, userId);
  const stats = await repo.getUserStats(userId, ctx);
  expect(rows.drifted).toBe(0);
  expect({ facts: stats?.factCount ?? 0, conversations: stats?.conversationCount ?? 0, messages: stats?.messageCount ?? 0 })
    .toEqual({ facts: rows.facts, conversations: rows.conversations, messages: rows.messages });
}

/** Registers the shared suite; `getClient` returns a migrated client once beforeAll ran. */
export function memoryRepositoryContract(getClient: () => SqlClient): void {
  let repo: MemoryRepository;
  let client: SqlClient;
  beforeAll(() => {
    client = getClient();
    repo = createSqlMemoryRepository(client);
  });

  test('50 identical AddFacts racing store one row and report 49 duplicates', async () => {
    const user = newUser();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => repo.addFacts(user, [fact('The  sky is BLUE ')], ctx)),
    );
    expect(results.filter((r) => r.createdFlags[0]).length).toBe(1);
    expect(results.filter((r) => !r.createdFlags[0]).length).toBe(49);
    expect(new Set(results.map((r) => r.facts[0]!.id)).size).toBe(1);
    expect((await recount(client, user)).facts).toBe(1);
    expect((await repo.getUserStats(user, ctx))?.factCount).toBe(1);
  });

  test('duplicates inside one batch are stored once and point at the same fact', async () => {
    const user = newUser();
    const first = await repo.addFacts(user, [fact('Likes  tea'), fact('likes tea'), fact('Lives in Oslo')], ctx);
    expect(first.createdFlags).toEqual([true, false, true]);
    expect(first.facts[1]!.id).toBe(first.facts[0]!.id);
    expect(first.facts[0]).toMatchObject({ userId: user, content: 'Likes  tea', source: 'test', metadata: { origin: 'test' } });
    expect(first.facts[0]!.confidence).toBeCloseTo(0.75);
    const again = await repo.addFacts(user, [fact('LIVES IN OSLO'), fact('Has a cat')], ctx);
    expect(again.createdFlags).toEqual([false, true]);
    expect(again.facts[0]!.id).toBe(first.facts[2]!.id);
    await expectStatsMatchRows(client, repo, user);
  });

  test('stats equal the recounted rows after a random mix of concurrent writes', async () => {
    const random = prng(20240611);
    const users = [newUser(), newUser()];
    const factIds: string[] = [];
    const conversations = new Map<string, string>();
    const pick = <T>(items: T[]): T | undefined => items[Math.floor(random() * items.length)];
    const operation = async (): Promise<void> => {
      const user = pick(users)!;
      const roll = random();
      if (roll < 0.35) {
        const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => fact(`fact ${Math.floor(random() * 12)}`));
        const result = await repo.addFacts(user, batch, ctx);
        factIds.push(...result.facts.map((f) => f.id));
      } else if (roll < 0.5) {
        await repo.deleteFacts(user, [pick(factIds) ?? randomUUID(), pick(factIds) ?? randomUUID(), 'not-a-uuid'], ctx);
      } else if (roll < 0.85) {
        const existing = random() < 0.6 ? pick([...conversations.keys()]) : undefined;
        const messages = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({
          role: 'user' as const,
          content: `message ${i}`,
        }));
        try {
          const conversation = await repo.appendMessages(user, existing, messages, undefined, ctx);
          conversations.set(conversation.id, user);
        } catch (error) {
          expect(error).toBeInstanceOf(NotFoundError);
          expect(conversations.get(existing!)).not.toBe(user);
        }
      } else {
        await repo.recordSearch(user, ctx);
      }
    };
    for (let round = 0; round < 12; round++) {
      await Promise.all(Array.from({ length: 6 }, operation));
    }
    for (const user of users) await expectStatsMatchRows(client, repo, user);
  });

  test('forgetUser deletes exactly one user’s rows and counts them', async () => {
    const [alice, bob] = [newUser(), newUser()];
    for (const user of [alice, bob]) {
      await repo.addFacts(user, [fact('one'), fact('two'), fact('three')], ctx);
      const c1 = await repo.appendMessages(user, undefined, [{ role: 'user', content: 'hi' }], 'first', ctx);
      await repo.appendMessages(user, c1.id, [{ role: 'assistant', content: 'hello' }], undefined, ctx);
      await repo.appendMessages(user, undefined, [1, 2, 3].map((i) => ({ role: 'user' as const, content: `m${i}` })), 't', ctx);
      await repo.recordSearch(user, ctx);
    }
    const bobBefore = await recount(client, bob);
    expect(await repo.forgetUser(alice, ctx)).toEqual({ facts: 3, conversations: 2, messages: 5, userStats: 1 });
    expect(await recount(client, alice)).toEqual({ facts: 0, conversations: 0, messages: 0, drifted: 0 });
    expect(await repo.getUserStats(alice, ctx)).toBeUndefined();
    expect(await recount(client, bob)).toEqual(bobBefore);
    expect(await repo.getUserStats(bob, ctx)).toMatchObject({ factCount: 3, conversationCount: 2, messageCount: 5, searchCount: 1 });
    expect(await repo.forgetUser(alice, ctx)).toEqual({ facts: 0, conversations: 0, messages: 0, userStats: 0 });
  });

  test('fact pages never repeat or skip a fact that existed at the first read, despite inserts', async () => {
    const user = newUser();
    for (let i = 0; i < 25; i++) await repo.addFacts(user, [fact(`original ${i}`)], ctx);
    const originals = new Set((await repo.listFacts(user, 100, undefined, ctx)).map((f) => f.id));
    expect(originals.size).toBe(25);
    const seen: string[] = [];
    let cursor: TimeCursor | undefined;
    for (let page = 0; page < 10; page++) {
      const facts = await repo.listFacts(user, 7, cursor, ctx);
      if (facts.length === 0) break;
      seen.push(...facts.map((f) => f.id));
      const last = facts[facts.length - 1]!;
      cursor = { at: last.createdAt, id: last.id };
      await repo.addFacts(user, [fact(`inserted between pages ${page}`)], ctx);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => originals.has(id))).toEqual([...originals]);
  });

  test('conversation pages follow the most recent update, without repeats, despite new conversations', async () => {
    const user = newUser();
    const created: string[] = [];
    for (let i = 0; i < 9; i++) {
      created.push((await repo.appendMessages(user, undefined, [{ role: 'user', content: `c${i}` }], `c${i}`, ctx)).id);
    }
    const bumped = await repo.appendMessages(user, created[0], [{ role: 'assistant', content: 'later' }], undefined, ctx);
    const first = await repo.listConversations(user, 4, undefined, ctx);
    expect(first[0]!.id).toBe(bumped.id);
    const seen = first.map((c) => c.id);
    let last = first[first.length - 1]!;
    for (;;) {
      await repo.appendMessages(user, undefined, [{ role: 'user', content: 'new' }], 'new', ctx);
      const page = await repo.listConversations(user, 4, { at: last.updatedAt, id: last.id }, ctx);
      if (page.length === 0) break;
      seen.push(...page.map((c) => c.id));
      last = page[page.length - 1]!;
    }
    expect(seen.length).toBe(9);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  test('concurrent appends to one conversation get consecutive sequences', async () => {
    const user = newUser();
    const conversation = await repo.appendMessages(user, undefined, [{ role: 'system', content: 'start' }], 'race', ctx);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repo.appendMessages(
          user,
          conversation.id,
          [
            { role: 'user', content: `q${i}` },
            { role: 'assistant', content: `a${i}` },
          ],
          undefined,
          ctx,
        ),
      ),
    );
    const messages = await repo.listMessages(conversation.id, 100, 0, ctx);
    expect(messages.map((m) => m.sequence)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    for (let i = 1; i < 41; i += 2) expect(messages[i]!.content.slice(1)).toBe(messages[i + 1]!.content.slice(1));
    expect((await repo.getConversation(user, conversation.id, ctx))?.messageCount).toBe(41);
    expect((await repo.listMessages(conversation.id, 5, 38, ctx)).map((m) => m.sequence)).toEqual([39, 40, 41]);
    await expectStatsMatchRows(client, repo, user);
  });

  test('another user’s conversation, or a malformed id, is not found', async () => {
    const [alice, mallory] = [newUser(), newUser()];
    const conversation = await repo.appendMessages(alice, undefined, [{ role: 'user', content: 'secret' }], 'mine', ctx);
    await expect(
      repo.appendMessages(mallory, conversation.id, [{ role: 'user', content: 'x' }], undefined, ctx),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(repo.appendMessages(alice, 'not-a-uuid', [{ role: 'user', content: 'x' }], undefined, ctx)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(repo.appendMessages(alice, randomUUID(), [{ role: 'user', content: 'x' }], undefined, ctx)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await repo.getConversation(mallory, conversation.id, ctx)).toBeUndefined();
    expect(await repo.getConversation(alice, 'nope', ctx)).toBeUndefined();
    expect(await repo.listMessages('nope', 10, 0, ctx)).toEqual([]);
    expect(await repo.getUserStats(mallory, ctx)).toBeUndefined();
    expect(await repo.getConversation(alice, conversation.id, ctx)).toMatchObject({ title: 'mine', messageCount: 1 });
  });

  test('a title given on append replaces the old one; updated_at moves forward', async () => {
    const user = newUser();
    const created = await repo.appendMessages(user, undefined, [{ role: 'user', content: 'a' }], undefined, ctx);
    expect(created.title).toBe('');
    const renamed = await repo.appendMessages(user, created.id, [{ role: 'user', content: 'b' }], 'Renamed', ctx);
    const kept = await repo.appendMessages(user, created.id, [{ role: 'user', content: 'c' }], undefined, ctx);
    expect([renamed.title, kept.title]).toEqual(['Renamed', 'Renamed']);
    expect(renamed.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    expect(kept.updatedAt.getTime()).toBeGreaterThan(renamed.updatedAt.getTime());
  });

  test('getFacts and deleteFacts touch only the user’s own facts', async () => {
    const [alice, bob] = [newUser(), newUser()];
    const a = await repo.addFacts(alice, [fact('a1'), fact('a2')], ctx);
    const b = await repo.addFacts(bob, [fact('b1')], ctx);
    const ids = [...a.facts.map((f) => f.id), b.facts[0]!.id, 'garbage'];
    expect((await repo.getFacts(alice, ids, ctx)).map((f) => f.id).sort()).toEqual(a.facts.map((f) => f.id).sort());
    expect((await repo.deleteFacts(alice, ids, ctx)).sort()).toEqual(a.facts.map((f) => f.id).sort());
    expect(await repo.deleteFacts(alice, ids, ctx)).toEqual([]);
    expect(await repo.getFacts(bob, [b.facts[0]!.id], ctx)).toHaveLength(1);
    await expectStatsMatchRows(client, repo, alice);
    await expectStatsMatchRows(client, repo, bob);
  });

  test('recordSearch counts searches, creating the stats row on first use', async () => {
    const user = newUser();
    await repo.recordSearch(user, ctx);
    await Promise.all([repo.recordSearch(user, ctx), repo.recordSearch(user, ctx)]);
    const stats = await repo.getUserStats(user, ctx);
    expect(stats).toMatchObject({ userId: user, searchCount: 3, factCount: 0 });
    expect(stats!.lastActive.getTime()).toBeGreaterThanOrEqual(stats!.firstSeen.getTime());
  });

  test('golden answers: create, replace by id, one per normalised question', async () => {
    const golden = createSqlGoldenAnswerRepository(client);
    const q = `what is recall ${randomUUID()}`;
    const made = await golden.upsert({ question: 'What is recall?', normalizedQuestion: q, answer: 'A service', sources: ['a'] }, ctx);
    expect(made.created).toBe(true);
    expect(made.answer).toMatchObject({ question: 'What is recall?', answer: 'A service', sources: ['a'] });
    const replaced = await golden.upsert(
      { id: made.answer.id, question: 'What is recall?', normalizedQuestion: q, answer: 'A gRPC service', sources: [] },
      ctx,
    );
    expect(replaced).toMatchObject({ created: false, answer: { id: made.answer.id, answer: 'A gRPC service', sources: [] } });
    await expect(
      golden.upsert({ question: 'Same', normalizedQuestion: q, answer: 'dup', sources: [] }, ctx),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await golden.findByNormalizedQuestion(q, ctx))?.id).toBe(made.answer.id);
    expect(await golden.findByNormalizedQuestion(`${q}?`, ctx)).toBeUndefined();
    const chosenId = randomUUID();
    const withId = await golden.upsert({ id: chosenId, question: 'x', normalizedQuestion: `${q} x`, answer: 'y', sources: [] }, ctx);
    expect(withId).toMatchObject({ created: true, answer: { id: chosenId } });
    expect((await golden.get(made.answer.id, ctx))?.answer).toBe('A gRPC service');
    expect(await golden.get('nope', ctx)).toBeUndefined();
    expect(await golden.delete(made.answer.id, ctx)).toBe(true);
    expect(await golden.delete(made.answer.id, ctx)).toBe(false);
    expect(await golden.delete('nope', ctx)).toBe(false);
  });
}
