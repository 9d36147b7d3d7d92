import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Metadata, type ServiceDefinition, credentials, makeGenericClientConstructor, status } from '@grpc/grpc-js';
import { createTestDatabase } from '../../harness/postgres';
import { SCOPES, type Scope } from '../../src/domain/token-scopes';
import * as memory from '../../src/gen/recall/v1/memory';
import * as search from '../../src/gen/recall/v1/search';
import { RPC_SCOPES } from '../../src/grpc/middleware/auth-scopes';
import { bufCurl, bufListServices } from '../support/buf-curl';
import { requireService } from '../support/require-service';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'src', 'main.js');

/** One token per single scope, one with none written (full access), one from AUTH_TOKENS_FILE with all three. */
const TOKENS = {
  read: 'reader-Zq81',
  write: 'writer-Lp27',
  admin: 'admin-Xw55',
  full: 'legacy-Mn04',
  file: 'from-file-Rt63+/==',
} as const;
const HELD: Record<keyof typeof TOKENS, readonly Scope[]> = {
  read: ['read'],
  write: ['write'],
  admin: ['admin'],
  full: SCOPES,
  file: SCOPES,
};
const UNKNOWN = 'not-configured-Qv19';

/** A valid request for each RPC, so a call that passes the scope check is served by its handler. */
const REQUESTS: Record<string, () => object> = {
  'recall.v1.SearchService/Search': () =>
    search.SearchRequest.fromPartial({ query: 'invoices', collections: ['scoped'] }),
  'recall.v1.SearchService/ListCollections': () => search.ListCollectionsRequest.fromPartial({}),
  'recall.v1.SearchService/UpsertDocuments': () =>
    search.UpsertDocumentsRequest.fromPartial({
      collection: 'scoped',
      documents: [{ id: randomUUID(), text: 'Invoices are due in 30 days.' }],
    }),
  'recall.v1.SearchService/DeleteDocuments': () =>
    search.DeleteDocumentsRequest.fromPartial({ collection: 'scoped', ids: ['absent'] }),
  'recall.v1.SearchService/UpsertGoldenAnswer': () =>
    search.UpsertGoldenAnswerRequest.fromPartial({ question: `q ${randomUUID()}?`, answer: 'a' }),
  'recall.v1.SearchService/DeleteGoldenAnswer': () =>
    search.DeleteGoldenAnswerRequest.fromPartial({ id: randomUUID() }),
  'recall.v1.MemoryService/ListFacts': () => memory.ListFactsRequest.fromPartial({ userId: 'scoped-user' }),
  'recall.v1.MemoryService/RecallFacts': () =>
    memory.RecallFactsRequest.fromPartial({ userId: 'scoped-user', query: 'tea' }),
  'recall.v1.MemoryService/GetConversation': () =>
    memory.GetConversationRequest.fromPartial({ userId: 'scoped-user', conversationId: randomUUID() }),
  'recall.v1.MemoryService/ListConversations': () =>
    memory.ListConversationsRequest.fromPartial({ userId: 'scoped-user' }),
  'recall.v1.MemoryService/GetUserStats': () => memory.GetUserStatsRequest.fromPartial({ userId: 'scoped-user' }),
  'recall.v1.MemoryService/AddFacts': () =>
    memory.AddFactsRequest.fromPartial({ userId: 'scoped-user', facts: [{ content: `fact ${randomUUID()}` }] }),
  'recall.v1.MemoryService/AppendMessages': () =>
    memory.AppendMessagesRequest.fromPartial({ userId: 'scoped-user', messages: [{ role: 'user', content: 'hello' }] }),
  'recall.v1.MemoryService/DeleteFacts': () =>
    memory.DeleteFactsRequest.fromPartial({ userId: 'scoped-user', ids: [randomUUID()] }),
  'recall.v1.MemoryService/SupersedeFact': () =>
    memory.SupersedeFactRequest.fromPartial({ userId: 'scoped-user', factId: randomUUID(), fact: { content: 'new' } }),
  'recall.v1.MemoryService/GetFactHistory': () =>
    memory.GetFactHistoryRequest.fromPartial({ userId: 'scoped-user', factId: randomUUID() }),
  'recall.v1.MemoryService/ForgetUser': () =>
    memory.ForgetUserRequest.fromPartial({ userId: `gone-${randomUUID().slice(0, 8)}` }),
};

/**
 * Token scopes against the built server over gRPC (PostgreSQL + embedded vectors): every RPC
 * with no token, an unknown one, and a token of each scope; what was refused is counted and
 * changed nothing, and no token reaches the logs.
 */
describe('token scopes, every RPC against every scope', () => {
  let server: ServerProcess;
  let dropDatabase: () => Promise<void>;
  let dataDir: string;
  const clients: Array<{ close(): void }> = [];
  const methods = new Map<string, (body: object, token: string | undefined) => Promise<number>>();

  beforeAll(async () => {
    const db = await createTestDatabase(requireService('postgres'));
    dropDatabase = db.drop;
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-scopes-'));
    writeFileSync(path.join(dataDir, 'tokens'), `# all three scopes, spelled out\n${TOKENS.file}:read+write+admin\n`);
    server = await startServerProcess({
      DATABASE_URL: db.url,
      DATA_DIR: path.join(dataDir, 'data'),
      PG_POOL_MIN: '1',
      AUTH_TOKENS: `${TOKENS.read}:read,${TOKENS.write}:write,${TOKENS.admin}:admin,${TOKENS.full}`,
      AUTH_TOKENS_FILE: path.join(dataDir, 'tokens'),
    });
    for (const definition of [search.SearchServiceService, memory.MemoryServiceService] as ServiceDefinition[]) {
      const Client = makeGenericClientConstructor(definition, '');
      const client = new Client(server.grpcAddress, credentials.createInsecure()) as unknown as Record<
        string,
        (req: object, md: Metadata, opts: object, cb: (e: { code: number } | null) => void) => void
      >;
      clients.push(client as unknown as { close(): void });
      for (const [key, method] of Object.entries(definition)) {
        methods.set(method.path.slice(1), (body, token) => {
          const md = new Metadata();
          if (token !== undefined) md.set('authorization', `Bearer ${token}`);
          return new Promise((resolve) => {
            const call = client[key];
            call?.call(client, body, md, { deadline: Date.now() + 30_000 }, (e) => resolve(e?.code ?? status.OK));
          });
        });
      }
    }
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.stop();
    await dropDatabase?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (rpc: string, token: string | undefined, body = REQUESTS[rpc]?.()) => {
    const method = methods.get(rpc);
    if (!method || !body) throw new Error(`no method or request for ${rpc}`);
    return method(body, token);
  };
  const deniedCounts = async () => {
    const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    return Object.fromEntries(
      [...text.matchAll(/^recall_auth_denied_total\{reason="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
  };

  it('covers every RPC the services define', () => {
    expect([...methods.keys()].sort()).toEqual(Object.keys(REQUESTS).sort());
  });

  it('exports the denial counter at zero before any refusal', async () => {
    expect(await deniedCounts()).toEqual({ missing_token: 0, unknown_token: 0, missing_scope: 0 });
  });

  it('serves each RPC exactly for the tokens carrying its scope, PERMISSION_DENIED for the others', async () => {
    const seen: string[] = [];
    const expected: string[] = [];
    for (const [rpc, needed] of Object.entries(RPC_SCOPES)) {
      for (const [name, token] of Object.entries(TOKENS) as Array<[keyof typeof TOKENS, string]>) {
        const code = await call(rpc, token);
        const allowed = HELD[name].includes(needed);
        // Served means the handler answered: OK, or NOT_FOUND for an id that does not exist.
        const outcome =
          code === status.PERMISSION_DENIED ? 'denied' : code === status.UNAUTHENTICATED ? 'anon' : 'served';
        seen.push(`${rpc} ${name} ${outcome}${outcome === 'served' && ![0, 5].includes(code) ? ` code ${code}` : ''}`);
        expected.push(`${rpc} ${name} ${allowed ? 'served' : 'denied'}`);
      }
    }
    expect(seen).toEqual(expected);
  }, 120_000);

  it('answers UNAUTHENTICATED to every RPC with no token or an unknown one', async () => {
    for (const rpc of Object.keys(RPC_SCOPES)) {
      expect([rpc, await call(rpc, undefined)]).toEqual([rpc, status.UNAUTHENTICATED]);
      expect([rpc, await call(rpc, UNKNOWN)]).toEqual([rpc, status.UNAUTHENTICATED]);
    }
  }, 60_000);

  it('counts every refusal by reason', async () => {
    const rpcs = Object.keys(RPC_SCOPES).length;
    // Each RPC was denied to the two single-scope tokens that are not its own.
    expect(await deniedCounts()).toEqual({ missing_token: rpcs, unknown_token: rpcs, missing_scope: 2 * rpcs });
  });

  it('changes nothing on a refused ForgetUser or DeleteDocuments', async () => {
    const userId = 'kept-user';
    const facts = memory.AddFactsRequest.fromPartial({ userId, facts: [{ content: 'Keeps a cat' }] });
    expect(await call('recall.v1.MemoryService/AddFacts', TOKENS.write, facts)).toBe(status.OK);
    const docs = search.UpsertDocumentsRequest.fromPartial({
      collection: 'kept',
      documents: [{ id: 'k1', text: 'A kept document' }],
    });
    expect(await call('recall.v1.SearchService/UpsertDocuments', TOKENS.write, docs)).toBe(status.OK);
    for (const token of [TOKENS.read, TOKENS.write]) {
      const forget = memory.ForgetUserRequest.fromPartial({ userId });
      expect(await call('recall.v1.MemoryService/ForgetUser', token, forget)).toBe(status.PERMISSION_DENIED);
      const del = search.DeleteDocumentsRequest.fromPartial({ collection: 'kept', ids: ['k1'] });
      expect(await call('recall.v1.SearchService/DeleteDocuments', token, del)).toBe(status.PERMISSION_DENIED);
    }
    const listed = await bufCurl(server.grpcAddress, 'recall.v1.MemoryService/ListFacts', { userId }, [
      '-H',
      `Authorization: Bearer ${TOKENS.read}`,
    ]);
    expect(listed.json?.facts).toEqual([expect.objectContaining({ content: 'Keeps a cat' })]);
    const found = await bufCurl(
      server.grpcAddress,
      'recall.v1.SearchService/Search',
      { query: 'A kept document', collections: ['kept'] },
      ['-H', `Authorization: Bearer ${TOKENS.read}`],
    );
    expect(found.json?.hits).toEqual([expect.objectContaining({ id: 'k1' })]);
  }, 60_000);

  it('keeps health and reflection open without a token', async () => {
    expect(await bufListServices(server.grpcAddress)).toEqual(
      expect.arrayContaining(['recall.v1.SearchService', 'grpc.health.v1.Health']),
    );
    const health = await bufCurl(server.grpcAddress, 'grpc.health.v1.Health/Check', { service: '' });
    expect(health.json).toEqual({ status: 'SERVING' });
  }, 60_000);

  it('never writes a token to its logs', () => {
    const output = JSON.stringify(server.logs) + server.stderr();
    expect(output).toContain('PERMISSION_DENIED');
    for (const token of [...Object.values(TOKENS), UNKNOWN]) expect(output).not.toContain(token);
  });

  it('refuses to start with a bad AUTH_TOKENS entry, naming the variable but not the token', () => {
    const result = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', AUTH_TOKENS: `${TOKENS.read}:read,${TOKENS.admin}:superuser9` },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('AUTH_TOKENS: entry 2 names a scope other than read, write, admin');
    expect(result.stderr + result.stdout).not.toMatch(/admin-Xw55|reader-Zq81|superuser9/);
  });
});
