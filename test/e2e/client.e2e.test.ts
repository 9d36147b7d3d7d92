import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../../harness/postgres';
import { SearchRequest, createRecallClients, status } from '../../src/client';
import { requireService } from '../support/require-service';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'client-e2e-token';

/** The typed client and its example program against the built server (PostgreSQL + embedded vectors, AUTH_TOKENS on). */
describe('typed client against a running recall', () => {
  let server: ServerProcess;
  let dropDatabase: () => Promise<void>;
  let dataDir: string;

  beforeAll(async () => {
    const db = await createTestDatabase(requireService('postgres'));
    dropDatabase = db.drop;
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-client-'));
    server = await startServerProcess({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PG_POOL_MIN: '1',
      AUTH_TOKENS: TOKEN,
    });
  });

  afterAll(async () => {
    await server?.stop();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('indexes, searches and remembers with a token', async () => {
    const recall = createRecallClients({ address: server.grpcAddress, token: TOKEN });
    try {
      await recall.search.upsertDocuments({
        collection: 'client',
        documents: [{ id: 'd1', text: 'Invoices are due within 30 days.', metadata: {}, vector: [] }],
      });
      const found = await recall.search.search(
        SearchRequest.fromPartial({ query: 'Invoices are due within 30 days.', collections: ['client'] }),
      );
      expect(found.hits[0]?.id).toBe('d1');
      const added = await recall.memory.addFacts({
        userId: 'u1',
        facts: [{ content: 'Likes tea', source: 'e2e', confidence: 1 }],
      });
      expect(added.created).toBe(1);
      const listed = await recall.memory.listFacts({ userId: 'u1', pageSize: 10, pageToken: '' });
      expect(listed.facts.map((f) => f.content)).toEqual(['Likes tea']);
    } finally {
      recall.close();
    }
  });

  it('is refused without the token', async () => {
    const anonymous = createRecallClients({ address: server.grpcAddress });
    try {
      await expect(anonymous.search.listCollections({})).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    } finally {
      anonymous.close();
    }
  });

  it('runs the example program', () => {
    const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['examples/client-quickstart.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', RECALL_ADDRESS: server.grpcAddress, RECALL_TOKEN: TOKEN },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^hit tea /m);
    expect(result.stdout).toContain('fact: Prefers green tea over coffee');
  }, 90_000);
});
