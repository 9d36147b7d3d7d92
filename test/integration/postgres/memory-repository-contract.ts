/**
 * The repository behaviours every SqlClient must give, run against real PostgreSQL and
 * against PGlite by the repositories-*.test.ts files next to this one. Each test uses its
 * own user ids, so tests share one migrated database.
 */
import { randomUUID } from 'node:crypto';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { NotFoundError } from '../../../src/domain/errors';
import type { MemoryRepository, TimeCursor } from '../../../src/domain/ports';
import { ctx, expectStatsMatchRows, fact, newUser, prng, recount } from './contract-helpers';

/** Facts, statistics and ForgetUser; `getClient` returns a migrated client once beforeAll ran. */
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
    expect(first.facts[0]).toMatchObject({
      userId: user,
      content: 'Likes  tea',
      source: 'test',
      metadata: { origin: 'test' },
    });
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
        const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () =>
          fact(`fact ${Math.floor(random() * 12)}`),
        );
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
      await repo.appendMessages(
        user,
        undefined,
        [1, 2, 3].map((i) => ({ role: 'user' as const, content: `m${i}` })),
        't',
        ctx,
      );
      await repo.recordSearch(user, ctx);
    }
    const bobBefore = await recount(client, bob);
    expect(await repo.forgetUser(alice, ctx)).toEqual({ facts: 3, conversations: 2, messages: 5, userStats: 1 });
    expect(await recount(client, alice)).toEqual({ facts: 0, conversations: 0, messages: 0, drifted: 0 });
    expect(await repo.getUserStats(alice, ctx)).toBeUndefined();
    expect(await recount(client, bob)).toEqual(bobBefore);
    expect(await repo.getUserStats(bob, ctx)).toMatchObject({
      factCount: 3,
      conversationCount: 2,
      messageCount: 5,
      searchCount: 1,
    });
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
}
