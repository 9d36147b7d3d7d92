import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { createTestDatabase } from '../../harness/postgres';
import { requireService } from '../support/require-service';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const fact = (content: string) => ({ content, source: 'e2e', confidence: 0.8 });

/** The MemoryService through the built server, on the machine's Postgres and Milvus Lite. */
describe('MemoryService end to end (PostgreSQL + Milvus Lite)', () => {
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dropDatabase: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    const db = await createTestDatabase(requireService('postgres'));
    dropDatabase = db.drop;
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-e2e-'));
    server = await startServerProcess({
      DATABASE_URL: db.url,
      MILVUS_ADDRESS: requireService('milvus'),
      DATA_DIR: dataDir,
      PG_POOL_MIN: '2',
    });
    clients = connectClients(server.grpcAddress);
  });

  afterAll(async () => {
    clients?.memory.close();
    await server?.stop();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores a fact once when 50 identical calls race', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        clients.memory.addFacts({ userId: 'racer', facts: [fact('Prefers green tea')] }),
      ),
    );
    expect(results.reduce((n, r) => n + r.created, 0)).toBe(1);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(49);
    expect(new Set(results.map((r) => r.facts[0]?.id)).size).toBe(1);
    const listed = await clients.memory.listFacts({ userId: 'racer', pageSize: 0, pageToken: '' });
    expect(listed.facts).toHaveLength(1);
    const { stats } = await clients.memory.getUserStats({ userId: 'racer' });
    expect(stats?.factCount).toBe(1);
  });

  it('keeps stats equal to the rows through adds, appends and deletes', async () => {
    const user = 'stats-user';
    const added = await clients.memory.addFacts({ userId: user, facts: ['a', 'b', 'c', 'B'].map(fact) });
    expect(added).toMatchObject({ created: 3, duplicates: 1 });
    const c1 = await clients.memory.appendMessages({
      userId: user,
      conversationId: '',
      title: 'first',
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi there' },
      ],
    });
    await clients.memory.appendMessages({
      userId: user,
      conversationId: c1.conversationId,
      title: '',
      messages: [{ role: 'user', content: 'again' }],
    });
    await clients.memory.appendMessages({
      userId: user,
      conversationId: '',
      title: 'second',
      messages: [{ role: 'user', content: 'new thread' }],
    });
    const deleted = await clients.memory.deleteFacts({ userId: user, ids: [added.facts[0]!.id, added.facts[1]!.id] });
    expect(deleted.deletedCount).toBe(2);
    const { stats } = await clients.memory.getUserStats({ userId: user });
    expect(stats).toMatchObject({ factCount: 1, conversationCount: 2, messageCount: 4 });
    const convo = await clients.memory.getConversation({
      userId: user,
      conversationId: c1.conversationId,
      pageSize: 0,
      pageToken: '',
    });
    expect(convo.messages.map((m) => [m.sequence, m.role, m.content])).toEqual([
      [1, 'user', 'hello'],
      [2, 'assistant', 'hi there'],
      [3, 'user', 'again'],
    ]);
    expect(convo.conversation?.messageCount).toBe(3);
  });

  it('pages facts newest first without repeats or gaps while new facts arrive', async () => {
    const user = 'pager';
    for (let i = 0; i < 7; i++) await clients.memory.addFacts({ userId: user, facts: [fact(`old fact ${i}`)] });
    const seen: string[] = [];
    let token = '';
    let round = 0;
    do {
      const page = await clients.memory.listFacts({ userId: user, pageSize: 3, pageToken: token });
      seen.push(...page.facts.map((f) => f.content));
      token = page.nextPageToken;
      await clients.memory.addFacts({ userId: user, facts: [fact(`new fact ${round++}`)] });
    } while (token);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `old fact ${i}`));
  });

  it('forgets one user completely and leaves the other untouched', async () => {
    for (const user of ['alice', 'bob']) {
      await clients.memory.addFacts({
        userId: user,
        facts: [fact(`${user} likes cats`), fact(`${user} lives in Oslo`)],
      });
      await clients.memory.appendMessages({
        userId: user,
        conversationId: '',
        title: '',
        messages: [{ role: 'user', content: `I am ${user}` }],
      });
    }
    const forgotten = await clients.memory.forgetUser({ userId: 'alice' });
    expect(forgotten).toMatchObject({
      deletedFacts: 2,
      deletedConversations: 1,
      deletedMessages: 1,
      deletedUserStats: 1,
      deletedFactVectors: 2,
    });
    expect(await statusOf(clients.memory.getUserStats({ userId: 'alice' }))).toBe(status.NOT_FOUND);
    const recalled = await clients.memory.recallFacts({ userId: 'alice', query: 'cats', limit: 5 });
    expect(recalled.facts).toHaveLength(0);
    const bob = await clients.memory.getUserStats({ userId: 'bob' });
    expect(bob.stats).toMatchObject({ factCount: 2, conversationCount: 1, messageCount: 1 });
    const again = await clients.memory.forgetUser({ userId: 'alice' });
    expect(again).toMatchObject({ deletedFacts: 0, deletedUserStats: 0 });
  });

  it('recalls the most relevant of the caller facts and never another user', async () => {
    await clients.memory.addFacts({
      userId: 'carol',
      facts: [fact('Carol is allergic to peanuts'), fact('Carol drives a red bicycle'), fact('Carol works as a nurse')],
    });
    await clients.memory.addFacts({ userId: 'dave', facts: [fact('Dave is allergic to peanuts and shellfish')] });
    const { facts } = await clients.memory.recallFacts({ userId: 'carol', query: 'peanut allergy', limit: 2 });
    expect(facts.length).toBeGreaterThan(0);
    expect(facts[0]?.content).toBe('Carol is allergic to peanuts');
    expect(facts.every((f) => f.userId === 'carol')).toBe(true);
    expect(facts[0]?.score).toBeGreaterThan(0);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    const error = await clients.memory
      .addFacts({ userId: 'valid', facts: [fact('fine'), fact('')] })
      .catch((e: { code: number; details: string }) => e);
    expect(error).toMatchObject({ code: status.INVALID_ARGUMENT });
    expect((error as { details: string }).details).toContain('facts[1].content');
    expect(await statusOf(clients.memory.getUserStats({ userId: 'valid' }))).toBe(status.NOT_FOUND);
    const other = await statusOf(
      clients.memory.getConversation({
        userId: 'bob',
        conversationId: '00000000-0000-4000-8000-000000000000',
        pageSize: 0,
        pageToken: '',
      }),
    );
    expect(other).toBe(status.NOT_FOUND);
    expect(await statusOf(clients.memory.listFacts({ userId: 'bob', pageSize: 0, pageToken: 'forged' }))).toBe(
      status.INVALID_ARGUMENT,
    );
  });

  it('gives DEADLINE_EXCEEDED when the caller deadline is too short, and keeps serving', async () => {
    const code = await statusOf(clients.memory.addFacts({ userId: 'hurried', facts: [fact('x')] }, { timeoutMs: 1 }));
    expect(code).toBe(status.DEADLINE_EXCEEDED);
    const listed = await clients.memory.listFacts({ userId: 'racer', pageSize: 0, pageToken: '' });
    expect(listed.facts).toHaveLength(1);
  });

  it('exposes pool and gRPC metrics that move', async () => {
    const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/^recall_db_pool_size \d+/m);
    expect(text).toMatch(/recall_db_query_duration_seconds_count\{operation="add_facts"\} [1-9]/);
    expect(text).toMatch(
      /grpc_server_handled_total\{grpc_type="unary",grpc_service="recall.v1.MemoryService",grpc_method="AddFacts",grpc_code="OK"\} [1-9]/,
    );
    expect(text).toMatch(/grpc_server_started_total\{[^}]*grpc_method="UpsertGoldenAnswer"[^}]*\} 0/);
    expect((await fetch(`${server.metricsUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${server.metricsUrl}/healthz`)).status).toBe(200);
  });
});
