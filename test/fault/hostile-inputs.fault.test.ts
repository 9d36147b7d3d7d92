import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Metadata, type ServiceError, credentials } from '@grpc/grpc-js';
import { connectClients } from '../../harness/grpc-clients';
import { withAdmin } from '../../harness/postgres';
import { type PostgresCluster, startPostgresCluster } from '../../harness/postgres-cluster';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { codeName, countBy, reportFigures } from './support/figures';
import { type Existing, hostileCases } from './support/hostile-cases';

const ALL_METHODS = [
  'MemoryService/AddFacts',
  'MemoryService/ListFacts',
  'MemoryService/RecallFacts',
  'MemoryService/DeleteFacts',
  'MemoryService/AppendMessages',
  'MemoryService/GetConversation',
  'MemoryService/ListConversations',
  'MemoryService/GetUserStats',
  'MemoryService/ForgetUser',
  'SearchService/Search',
  'SearchService/UpsertDocuments',
  'SearchService/DeleteDocuments',
  'SearchService/ListCollections',
  'SearchService/UpsertGoldenAnswer',
  'SearchService/DeleteGoldenAnswer',
].map((m) => `/recall.v1.${m}`);

/** Deterministic "random" bodies (a small LCG), plus bodies that cannot decode as any message. */
function garbage(seed: number, length: number): Buffer {
  let x = seed;
  return Buffer.from(
    Array.from({ length }, () => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x & 0xff;
    }),
  );
}
const RAW_BODIES: Array<[string, Buffer]> = [
  ['truncated varint', Buffer.from([0x08, 0xff, 0xff, 0xff])],
  ['length past the end', Buffer.from([0x0a, 0x7f, 0x61])],
  ['invalid wire type 7', Buffer.from([0x0f, 0x01])],
  ...[1, 2].map((seed): [string, Buffer] => [
    `random 64 bytes #${seed}`,
    Buffer.concat([Buffer.from([0xff]), garbage(seed, 63)]),
  ]),
];

/**
 * Hostile values in every field of every RPC, through the generated clients: each answer is
 * INVALID_ARGUMENT / RESOURCE_EXHAUSTED / NOT_FOUND naming the field, never INTERNAL, and
 * nothing hangs. Then bodies that are not protobuf at all, and strings that are not UTF-8,
 * on the raw channel: the caller's error (INVALID_ARGUMENT), and the server still serves.
 */
describe('hostile input', () => {
  let cluster: PostgresCluster;
  let server: ServerProcess;
  let dataDir: string;
  let clients: ReturnType<typeof connectClients>;
  let raw: Client;
  const existing: Existing = { conversationId: '', collection: 'hostile_docs', dimension: 384 };
  const outcomes: Array<{ name: string; code: string; ok: boolean }> = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    await withAdmin(cluster.adminUrl, (c) => c.query('CREATE DATABASE recall'));
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-fault-hostile-'));
    server = await startServerProcess({ DATABASE_URL: cluster.urlFor('recall'), DATA_DIR: dataDir, PG_POOL_MIN: '1' });
    clients = connectClients(server.grpcAddress);
    raw = new Client(server.grpcAddress, credentials.createInsecure());
    const started = await clients.memory.appendMessages({
      userId: 'hostile',
      conversationId: '',
      title: 'hostile',
      messages: [{ role: 'user', content: 'hello' }],
    });
    existing.conversationId = started.conversationId;
    await clients.search.upsertDocuments({
      collection: existing.collection,
      documents: [{ id: 'seed', text: 'green tea', metadata: {}, vector: [] }],
    });
  }, 120_000);

  afterAll(async () => {
    const wrong = outcomes.filter((o) => !o.ok);
    reportFigures('hostile-inputs', {
      inputs: outcomes.length,
      answeredCorrectly: outcomes.length - wrong.length,
      internal: outcomes.filter((o) => o.code === 'INTERNAL').length,
      codes: countBy(outcomes, (o) => o.code),
      wrong,
    });
    clients?.memory.close();
    clients?.search.close();
    raw?.close();
    await server?.stop('SIGKILL');
    await cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(hostileCases(existing).map((c) => [c.name, c]))('%s', async (name, c) => {
    let error: ServiceError | undefined;
    try {
      await c.call(clients);
    } catch (e) {
      error = e as ServiceError;
    }
    const code = error ? codeName(error.code) : 'OK';
    const allowed = c.codes ?? ['INVALID_ARGUMENT'];
    const ok = allowed.includes(code as never) && (error?.details ?? '').includes(c.field);
    outcomes.push({ name, code, ok });
    // Compared whole, so a failure shows the code and the details the caller got.
    expect({ allowedCode: allowed.includes(code as never), code, details: error?.details }).toEqual({
      allowedCode: true,
      code,
      details: expect.stringContaining(c.field),
    });
  });

  /** Sends `body` as the request of `method` on the raw channel; resolves to the status and details. */
  function rawCall(method: string, body: Buffer): Promise<{ code: string; details: string }> {
    return new Promise((resolve) => {
      raw.makeUnaryRequest(
        method,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        new Metadata(),
        { deadline: Date.now() + 10_000 },
        (error: ServiceError | null) =>
          resolve({ code: error ? codeName(error.code) : 'OK', details: error?.details ?? '' }),
      );
    });
  }

  it.each(
    RAW_BODIES.flatMap(([label, body]) =>
      ALL_METHODS.map((m) => [`${m.split('/').pop()} ← ${label}`, m, body] as const),
    ),
  )('answers a body that is not protobuf as the caller’s error: %s', async (name, method, body) => {
    const answer = await rawCall(method, body);
    outcomes.push({ name: `raw ${name}`, code: answer.code, ok: answer.code === 'INVALID_ARGUMENT' });
    expect(answer.code).toBe('INVALID_ARGUMENT');
  });

  it.each([
    // AddFacts{user_id:"hostile", facts:[{content: ed a0 80}]} — a UTF-16 surrogate, not UTF-8.
    [
      'AddFacts content ed a0 80',
      '/recall.v1.MemoryService/AddFacts',
      'facts[0].content',
      Buffer.from('0a07686f7374696c6512050a03eda080', 'hex'),
    ],
    // SearchRequest{query: c3 28} — a lead byte without its continuation.
    ['Search query c3 28', '/recall.v1.SearchService/Search', 'query', Buffer.from('0a02c328', 'hex')],
  ] as const)('rejects invalid UTF-8 naming the field: %s', async (name, method, field, body) => {
    const answer = await rawCall(method, body);
    const ok = answer.code === 'INVALID_ARGUMENT' && answer.details.includes(field);
    outcomes.push({ name: `raw ${name}`, code: answer.code, ok });
    expect(answer).toEqual({ code: 'INVALID_ARGUMENT', details: expect.stringContaining(field) });
  });

  it('still serves after all of it', async () => {
    expect(server.child.exitCode).toBeNull();
    const listed = await clients.memory.listFacts({ userId: 'hostile', pageSize: 0, pageToken: '' });
    expect(listed.facts).toEqual([]);
  });
});
