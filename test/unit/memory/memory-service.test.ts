import { backgroundContext } from '../../../src/domain/context';
import { InvalidArgumentError, NotFoundError } from '../../../src/domain/errors';
import type { FactIndex } from '../../../src/domain/memory/fact-index';
import { createMemoryService } from '../../../src/domain/memory/memory-service';
import { createPageTokenCodec } from '../../../src/domain/memory/page-token';
import { FakeLexicalFactIndex } from '../../support/fakes/fake-lexical-fact-index';
import { FakeMemoryRepository } from '../../support/fakes/fake-memory-repository';

const ctx = backgroundContext();
const fact = (content: string) => ({ content, source: '', confidence: 0, metadata: {} });

/** A fact index that records calls and recalls by substring, to keep the test about the service. */
function recordingIndex() {
  const entries = new Map<string, { userId: string; content: string }>();
  const index: FactIndex & {
    entries: typeof entries;
    failNext: boolean;
    /** Resolves once a put has started; the put then waits for `release`. */
    holdNextPut?: { started: () => void; release: Promise<void> } | undefined;
  } = {
    entries,
    failNext: false,
    async embed(contents) {
      return contents.map(() => [1, 0]);
    },
    async put(userId, facts) {
      const hold = index.holdNextPut;
      if (hold) {
        index.holdNextPut = undefined;
        hold.started();
        await hold.release;
      }
      if (index.failNext) {
        index.failNext = false;
        throw new Error('index down');
      }
      for (const f of facts) entries.set(f.id, { userId, content: f.content });
    },
    async remove(_userId, ids) {
      if (index.failNext) {
        index.failNext = false;
        throw new Error('index down');
      }
      return ids.filter((id) => entries.delete(id)).length;
    },
    async removeUser(userId) {
      let n = 0;
      for (const [id, e] of entries) if (e.userId === userId && entries.delete(id)) n += 1;
      return n;
    },
    async recall(userId, query) {
      return [...entries]
        .filter(([, e]) => e.userId === userId && e.content.includes(query))
        .map(([factId]) => ({ factId, score: 0.5 }));
    },
  };
  return index;
}

function setup() {
  const repository = new FakeMemoryRepository();
  const factIndex = recordingIndex();
  const memory = createMemoryService({ repository, factIndex, pageTokens: createPageTokenCodec() });
  return { repository, factIndex, memory };
}

async function expectViolation(promise: Promise<unknown>, field: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as InvalidArgumentError).violations.map((v) => v.field)).toContain(field);
}

describe('MemoryService rules', () => {
  it('names every bad field of a request and writes nothing', async () => {
    const { memory, repository } = setup();
    const error = await memory
      .addFacts({ userId: 'bad user!', facts: [fact('ok'), fact('   '), { ...fact('x'), confidence: 2 }] }, ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations.map((v) => v.field)).toEqual([
      'user_id',
      'facts[1].content',
      'facts[2].confidence',
    ]);
    expect(repository.facts).toHaveLength(0);
  });

  it('rejects empty batches, oversized pages, unknown roles and malformed ids by field', async () => {
    const { memory } = setup();
    await expectViolation(memory.addFacts({ userId: 'u1', facts: [] }, ctx), 'facts');
    await expectViolation(memory.listFacts({ userId: 'u1', pageSize: 101, pageToken: '' }, ctx), 'page_size');
    await expectViolation(
      memory.appendMessages(
        { userId: 'u1', conversationId: '', messages: [{ role: 'robot', content: 'hi' }], title: '' },
        ctx,
      ),
      'messages[0].role',
    );
    await expectViolation(memory.deleteFacts({ userId: 'u1', ids: ['not-a-uuid'] }, ctx), 'ids[0]');
    await expectViolation(
      memory.getConversation({ userId: 'u1', conversationId: 'x', pageSize: 0, pageToken: '' }, ctx),
      'conversation_id',
    );
    await expectViolation(memory.recallFacts({ userId: 'u1', query: '', limit: 0 }, ctx), 'query');
  });

  it('counts duplicates and defaults confidence to 1', async () => {
    const { memory } = setup();
    const first = await memory.addFacts({ userId: 'u1', facts: [fact('Likes tea'), fact('likes   TEA')] }, ctx);
    expect(first).toMatchObject({ created: 1, duplicates: 1 });
    expect(first.facts[0]?.id).toBe(first.facts[1]?.id);
    expect(first.facts[0]?.confidence).toBe(1);
  });

  it('pages newest first with tokens bound to their listing', async () => {
    const { memory } = setup();
    for (let i = 0; i < 5; i++) await memory.addFacts({ userId: 'u1', facts: [fact(`fact ${i}`)] }, ctx);
    const p1 = await memory.listFacts({ userId: 'u1', pageSize: 2, pageToken: '' }, ctx);
    const p2 = await memory.listFacts({ userId: 'u1', pageSize: 2, pageToken: p1.nextPageToken }, ctx);
    const p3 = await memory.listFacts({ userId: 'u1', pageSize: 2, pageToken: p2.nextPageToken }, ctx);
    expect([...p1.facts, ...p2.facts, ...p3.facts].map((f) => f.content)).toEqual([
      'fact 4',
      'fact 3',
      'fact 2',
      'fact 1',
      'fact 0',
    ]);
    expect(p3.nextPageToken).toBe('');
    await expectViolation(
      memory.listFacts({ userId: 'u2', pageSize: 2, pageToken: p1.nextPageToken }, ctx),
      'page_token',
    );
    await expectViolation(
      memory.listConversations({ userId: 'u1', pageSize: 2, pageToken: p1.nextPageToken }, ctx),
      'page_token',
    );
    const forged = `${p1.nextPageToken.slice(0, -2)}xx`;
    await expectViolation(memory.listFacts({ userId: 'u1', pageSize: 2, pageToken: forged }, ctx), 'page_token');
  });

  it('refuses expired page tokens', async () => {
    let now = 1_000_000;
    const repository = new FakeMemoryRepository();
    const memory = createMemoryService({
      repository,
      pageTokens: createPageTokenCodec({ ttlMs: 1000, now: () => now }),
    });
    for (let i = 0; i < 3; i++) await memory.addFacts({ userId: 'u1', facts: [fact(`f${i}`)] }, ctx);
    const p1 = await memory.listFacts({ userId: 'u1', pageSize: 1, pageToken: '' }, ctx);
    now += 2000;
    await expectViolation(
      memory.listFacts({ userId: 'u1', pageSize: 1, pageToken: p1.nextPageToken }, ctx),
      'page_token',
    );
  });

  it('recalls only facts the database still holds for that user, and collects the strays', async () => {
    const { memory, factIndex } = setup();
    await memory.addFacts({ userId: 'u1', facts: [fact('coffee black'), fact('coffee at 9')] }, ctx);
    await memory.addFacts({ userId: 'u2', facts: [fact('coffee with milk')] }, ctx);
    // An index entry whose fact never committed (its process died between the two writes).
    const ghost = '00000000-0000-4000-8000-000000000000';
    factIndex.entries.set(ghost, { userId: 'u1', content: 'coffee ghost' });
    const recalled = await memory.recallFacts({ userId: 'u1', query: 'coffee', limit: 0 }, ctx);
    expect(recalled.facts.map((f) => f.content).sort()).toEqual(['coffee at 9', 'coffee black']);
    expect(recalled.facts[0]?.score).toBe(0.5);
    expect(factIndex.entries.has(ghost)).toBe(false);
    expect(factIndex.entries.size).toBe(3);
  });

  it('keeps neither the rows nor the vectors when indexing fails, and a retry stores both', async () => {
    const { memory, factIndex, repository } = setup();
    factIndex.failNext = true;
    await expect(memory.addFacts({ userId: 'u1', facts: [fact('tea')] }, ctx)).rejects.toThrow('index down');
    expect(repository.facts).toHaveLength(0);
    const retry = await memory.addFacts({ userId: 'u1', facts: [fact('tea')] }, ctx);
    expect(retry).toMatchObject({ created: 1, duplicates: 0 });
    expect([...factIndex.entries.keys()]).toEqual([retry.facts[0]!.id]);
  });

  it('deletes nothing when the index cannot drop the vectors', async () => {
    const { memory, factIndex, repository } = setup();
    const added = await memory.addFacts({ userId: 'u1', facts: [fact('tea')] }, ctx);
    factIndex.failNext = true;
    await expect(memory.deleteFacts({ userId: 'u1', ids: [added.facts[0]!.id] }, ctx)).rejects.toThrow('index down');
    expect(repository.facts).toHaveLength(1);
    expect(factIndex.entries.size).toBe(1);
    await memory.deleteFacts({ userId: 'u1', ids: [added.facts[0]!.id] }, ctx);
    expect(repository.facts).toHaveLength(0);
    expect(factIndex.entries.size).toBe(0);
  });

  it('a ForgetUser racing an AddFacts between its row and its vector leaves no vector behind', async () => {
    const { memory, factIndex, repository } = setup();
    let started!: () => void;
    const putStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    let release!: () => void;
    factIndex.holdNextPut = {
      started,
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
    };
    const adding = memory.addFacts({ userId: 'u1', facts: [fact('my card PIN is 1016')] }, ctx);
    await putStarted;
    const forgetting = memory.forgetUser({ userId: 'u1' }, ctx);
    release();
    await adding;
    const counts = await forgetting;
    // The forget waited for the add to finish, then removed its row and its vector.
    expect(counts).toMatchObject({ facts: 1, factVectors: 1 });
    expect(factIndex.entries.size).toBe(0);
    expect(repository.facts).toHaveLength(0);
  });

  it('hides other users conversations and unknown users stats', async () => {
    const { memory } = setup();
    const { conversationId } = await memory.appendMessages(
      { userId: 'u1', conversationId: '', messages: [{ role: 'user', content: 'hi' }], title: 't' },
      ctx,
    );
    await expect(
      memory.getConversation({ userId: 'u2', conversationId, pageSize: 0, pageToken: '' }, ctx),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(memory.getUserStats({ userId: 'nobody' }, ctx)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages messages in order', async () => {
    const { memory } = setup();
    const messages = Array.from({ length: 5 }, (_, i) => ({ role: 'user', content: `m${i}` }));
    const { conversationId } = await memory.appendMessages(
      { userId: 'u1', conversationId: '', messages, title: '' },
      ctx,
    );
    const p1 = await memory.getConversation({ userId: 'u1', conversationId, pageSize: 3, pageToken: '' }, ctx);
    const p2 = await memory.getConversation(
      { userId: 'u1', conversationId, pageSize: 3, pageToken: p1.nextPageToken },
      ctx,
    );
    expect([...p1.messages, ...p2.messages].map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(p2.nextPageToken).toBe('');
  });

  it('forgets a user, vectors and what the lexical index keeps in process included, and nobody else', async () => {
    const repository = new FakeMemoryRepository();
    const factIndex = recordingIndex();
    const lexicalIndex = new FakeLexicalFactIndex(repository);
    const memory = createMemoryService({ repository, factIndex, lexicalIndex, pageTokens: createPageTokenCodec() });
    await memory.addFacts({ userId: 'u1', facts: [fact('a'), fact('b')] }, ctx);
    await memory.addFacts({ userId: 'u2', facts: [fact('c')] }, ctx);
    const counts = await memory.forgetUser({ userId: 'u1' }, ctx);
    expect(counts).toMatchObject({ facts: 2, factVectors: 2, userStats: 1 });
    expect([...factIndex.entries.values()].map((e) => e.userId)).toEqual(['u2']);
    expect(lexicalIndex.forgotten).toEqual(['u1']);
    expect((await memory.getUserStats({ userId: 'u2' }, ctx)).factCount).toBe(1);
  });
});
