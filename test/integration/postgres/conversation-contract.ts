import { randomUUID } from 'node:crypto';
import { createSqlGoldenAnswerRepository } from '../../../src/adapters/sql/golden-answer-repository';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { AlreadyExistsError, NotFoundError } from '../../../src/domain/errors';
import type { MemoryRepository } from '../../../src/domain/ports';
import { ctx, expectStatsMatchRows, newUser } from './contract-helpers';

/** Conversations and golden answers; `getClient` returns a migrated client once beforeAll ran. */
export function conversationContract(getClient: () => SqlClient): void {
  let repo: MemoryRepository;
  let client: SqlClient;
  beforeAll(() => {
    client = getClient();
    repo = createSqlMemoryRepository(client);
  });

  test('conversation pages follow the most recent update, without repeats, despite new conversations', async () => {
    const user = newUser();
    const created: string[] = [];
    for (let i = 0; i < 9; i++) {
      created.push((await repo.appendMessages(user, undefined, [{ role: 'user', content: `c${i}` }], `c${i}`, ctx)).id);
    }
    const bumped = await repo.appendMessages(
      user,
      created[0],
      [{ role: 'assistant', content: 'later' }],
      undefined,
      ctx,
    );
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
    const conversation = await repo.appendMessages(
      user,
      undefined,
      [{ role: 'system', content: 'start' }],
      'race',
      ctx,
    );
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
    const conversation = await repo.appendMessages(
      alice,
      undefined,
      [{ role: 'user', content: 'secret' }],
      'mine',
      ctx,
    );
    await expect(
      repo.appendMessages(mallory, conversation.id, [{ role: 'user', content: 'x' }], undefined, ctx),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      repo.appendMessages(alice, 'not-a-uuid', [{ role: 'user', content: 'x' }], undefined, ctx),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      repo.appendMessages(alice, randomUUID(), [{ role: 'user', content: 'x' }], undefined, ctx),
    ).rejects.toBeInstanceOf(NotFoundError);
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

  test('golden answers: create, replace by id, one per normalised question', async () => {
    const golden = createSqlGoldenAnswerRepository(client);
    const q = `what is recall ${randomUUID()}`;
    const made = await golden.upsert(
      { question: 'What is recall?', normalizedQuestion: q, answer: 'A service', sources: ['a'] },
      ctx,
    );
    expect(made.created).toBe(true);
    expect(await golden.any(ctx)).toBe(true);
    expect(made.answer).toMatchObject({ question: 'What is recall?', answer: 'A service', sources: ['a'] });
    const replaced = await golden.upsert(
      { id: made.answer.id, question: 'What is recall?', normalizedQuestion: q, answer: 'A gRPC service', sources: [] },
      ctx,
    );
    expect(replaced).toMatchObject({
      created: false,
      answer: { id: made.answer.id, answer: 'A gRPC service', sources: [] },
    });
    await expect(
      golden.upsert({ question: 'Same', normalizedQuestion: q, answer: 'dup', sources: [] }, ctx),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await golden.findByNormalizedQuestion(q, ctx))?.id).toBe(made.answer.id);
    expect(await golden.findByNormalizedQuestion(`${q}?`, ctx)).toBeUndefined();
    const chosenId = randomUUID();
    const withId = await golden.upsert(
      { id: chosenId, question: 'x', normalizedQuestion: `${q} x`, answer: 'y', sources: [] },
      ctx,
    );
    expect(withId).toMatchObject({ created: true, answer: { id: chosenId } });
    expect((await golden.get(made.answer.id, ctx))?.answer).toBe('A gRPC service');
    expect(await golden.get('nope', ctx)).toBeUndefined();
    expect(await golden.delete(made.answer.id, ctx)).toBe(true);
    expect(await golden.delete(made.answer.id, ctx)).toBe(false);
    expect(await golden.delete('nope', ctx)).toBe(false);
  });
}
