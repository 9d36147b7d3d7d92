import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bufCurl, bufListServices } from '../support/buf-curl';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/**
 * A newcomer's run: no DATABASE_URL, no MILVUS_ADDRESS — PGlite and the embedded vector
 * store under DATA_DIR — driven only by `buf curl` through server reflection.
 */
describe('embedded default, driven by buf curl with reflection only', () => {
  let dataDir: string;
  let server: ServerProcess;
  const call = (method: string, body: unknown) => bufCurl(server.grpcAddress, method, body);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-embedded-'));
    server = await startServerProcess({ DATA_DIR: dataDir });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists both services, health and reflection', async () => {
    const services = await bufListServices(server.grpcAddress);
    expect(services).toEqual(
      expect.arrayContaining(['recall.v1.MemoryService', 'recall.v1.SearchService', 'grpc.health.v1.Health']),
    );
  });

  it('reports SERVING overall and per service', async () => {
    for (const service of ['', 'recall.v1.MemoryService', 'recall.v1.SearchService']) {
      const result = await call('grpc.health.v1.Health/Check', { service });
      expect(result.json).toEqual({ status: 'SERVING' });
    }
  });

  it('adds and lists facts, appends messages, reads stats and forgets the user', async () => {
    const added = await call('recall.v1.MemoryService/AddFacts', {
      userId: 'newcomer',
      facts: [
        { content: 'Likes hiking', metadata: { topic: 'hobby', tags: ['outdoor'] } },
        { content: 'likes  HIKING' },
      ],
    });
    expect(added.status).toBe(0);
    expect(added.json).toMatchObject({ created: 1, duplicates: 1 });
    const listed = await call('recall.v1.MemoryService/ListFacts', { userId: 'newcomer' });
    expect(listed.json?.facts).toEqual([
      expect.objectContaining({ content: 'Likes hiking', metadata: { topic: 'hobby', tags: ['outdoor'] } }),
    ]);
    const appended = await call('recall.v1.MemoryService/AppendMessages', {
      userId: 'newcomer',
      title: 'Trip',
      messages: [{ role: 'user', content: 'Plan a hike' }],
    });
    expect(appended.json).toMatchObject({ messageCount: 1 });
    const stats = await call('recall.v1.MemoryService/GetUserStats', { userId: 'newcomer' });
    expect(stats.json?.stats).toMatchObject({
      userId: 'newcomer',
      factCount: '1',
      conversationCount: '1',
      messageCount: '1',
    });
    const forgot = await call('recall.v1.MemoryService/ForgetUser', { userId: 'newcomer' });
    expect(forgot.json).toMatchObject({ deletedFacts: '1', deletedConversations: '1', deletedMessages: '1' });
    const gone = await call('recall.v1.MemoryService/GetUserStats', { userId: 'newcomer' });
    expect(gone.status).toBe(5);
  });

  it('names the bad field through buf curl too', async () => {
    const result = await call('recall.v1.MemoryService/AddFacts', { userId: '', facts: [] });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('user_id');
    expect(result.stderr).toContain('facts');
  });

  it('keeps what it stored across a restart', async () => {
    await call('recall.v1.MemoryService/AddFacts', { userId: 'durable', facts: [{ content: 'Survives restarts' }] });
    expect(await server.stop()).toBe(0);
    server = await startServerProcess({ DATA_DIR: dataDir });
    const listed = await call('recall.v1.MemoryService/ListFacts', { userId: 'durable' });
    expect(listed.json?.facts).toEqual([expect.objectContaining({ content: 'Survives restarts' })]);
  });
});
