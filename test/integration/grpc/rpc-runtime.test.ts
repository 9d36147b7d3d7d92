import { Writable } from 'node:stream';
import { Metadata, Server, ServerCredentials, credentials, status } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { SCOPES, type TokenGrant } from '../../../src/domain/token-scopes';
import {
  AddFactsRequest,
  ListFactsRequest,
  MemoryServiceClient,
  MemoryServiceService,
} from '../../../src/gen/recall/v1/memory';
import { type Handlers, type RpcContext, createRpcRuntime } from '../../../src/grpc/rpc-runtime';
import { createLogger } from '../../../src/observability/logger';
import { createMetrics } from '../../../src/observability/metrics';

/** The one wrapper every RPC runs through, on a real grpc-js server on 127.0.0.1:0. */
describe('rpc runtime', () => {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const metrics = createMetrics('t_', { processMetrics: false });
  let seen: RpcContext | undefined;
  const unimplemented = async () => {
    throw new Error('not used');
  };
  const handlers = {
    addFacts: unimplemented,
    recallFacts: unimplemented,
    deleteFacts: unimplemented,
    supersedeFact: unimplemented,
    getFactHistory: unimplemented,
    appendMessages: unimplemented,
    getConversation: unimplemented,
    listConversations: unimplemented,
    forgetUser: unimplemented,
    async listFacts(req, ctx) {
      seen = ctx;
      if (req.userId === 'bad') throw InvalidArgumentError.of('user_id', 'is bad');
      if (req.userId === 'boom') throw new Error('secret detail postgres://u:pw@h/db');
      return { facts: [], nextPageToken: '' };
    },
    async getUserStats(_req, ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      throw new Error('aborted');
    },
  } as Handlers<typeof MemoryServiceService>;

  let server: Server;
  let client: MemoryServiceClient;
  const start = async (authTokens: TokenGrant[]) => {
    const runtime = createRpcRuntime({ metrics, logger: createLogger('info', sink), authTokens });
    server = new Server();
    const service = runtime.service(MemoryServiceService, handlers);
    server.addService(service.definition, service.implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    client = new MemoryServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
  };
  const list = (userId: string, md = new Metadata(), timeoutMs = 5000) =>
    new Promise<{ code: number; details: string | undefined; requestId: string | undefined }>((resolve) => {
      let requestId: string | undefined;
      const call = client.listFacts(
        ListFactsRequest.fromPartial({ userId }),
        md,
        { deadline: Date.now() + timeoutMs },
        (error) => resolve({ code: error?.code ?? status.OK, details: error?.details, requestId }),
      );
      call.on('metadata', (m) => {
        requestId = m.get('x-request-id')[0] as string;
      });
    });

  afterEach(() => {
    client?.close();
    server?.forceShutdown();
  });

  it('maps domain errors, hides unexpected ones and logs their cause', async () => {
    await start([]);
    expect(await list('bad')).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'user_id: is bad' });
    const boom = await list('boom');
    expect(boom).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
    expect(logLines.join('')).toContain('secret detail');
    expect(logLines.join('')).not.toContain('"details":"secret');
  });

  it('passes the caller deadline to the handler and echoes or assigns a request id', async () => {
    await start([]);
    const md = new Metadata();
    md.set('x-request-id', 'req-123');
    const before = Date.now();
    const result = await list('ok', md, 3000);
    expect(result).toMatchObject({ code: status.OK, requestId: 'req-123' });
    expect(seen?.deadline).toBeGreaterThan(before);
    expect(seen?.deadline).toBeLessThanOrEqual(before + 3000 + 50);
    expect((await list('ok')).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('aborts the handler signal when the deadline passes', async () => {
    await start([]);
    const code = await new Promise<number>((resolve) =>
      client.getUserStats({ userId: 'x' }, new Metadata(), { deadline: Date.now() + 200 }, (e) =>
        resolve(e?.code ?? 0),
      ),
    );
    expect(code).toBe(status.DEADLINE_EXCEEDED);
  });

  it('requires a known bearer token when tokens are configured', async () => {
    await start([{ token: 's3cret', scopes: SCOPES }]);
    expect((await list('ok')).code).toBe(status.UNAUTHENTICATED);
    const wrong = new Metadata();
    wrong.set('authorization', 'Bearer nope');
    expect((await list('ok', wrong)).code).toBe(status.UNAUTHENTICATED);
    const right = new Metadata();
    right.set('authorization', 'Bearer s3cret');
    expect((await list('ok', right)).code).toBe(status.OK);
    expect(logLines.join('')).not.toContain('s3cret');
  });

  it('answers an undecodable body INVALID_ARGUMENT, counted and logged at warn (regression: INTERNAL, invisible)', async () => {
    await start([]);
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const raw = (x: Buffer) => x;
    const result = await new Promise<{ code: number; details: string | undefined }>((resolve) =>
      client.makeUnaryRequest('/recall.v1.MemoryService/ListFacts', raw, raw, garbage, (error) =>
        resolve({ code: error?.code ?? status.OK, details: error?.details }),
      ),
    );

    expect(result).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'request: is not a valid recall.v1.ListFactsRequest message (malformed protobuf)',
    });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(
      /grpc_server_handled_total\{[^}]*grpc_method="ListFacts",grpc_code="INVALID_ARGUMENT"\} [1-9]/,
    );
    const warned = logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'undecodable request');
    expect(warned).toMatchObject({ level: 'warn', method: 'recall.v1.MemoryService/ListFacts' });
  });

  it('refuses invalid UTF-8 naming the field before the handler runs (regression: stored as U+FFFD)', async () => {
    await start([]);
    const encoded = Buffer.from(
      AddFactsRequest.encode({
        userId: 'u1',
        facts: [{ content: 'ok XYZ', source: '', confidence: 0, metadata: {} }],
      }).finish(),
    );
    Buffer.from([0xed, 0xa0, 0x80]).copy(encoded, encoded.indexOf('XYZ'));
    const raw = (x: Buffer) => x;
    const result = await new Promise<{ code: number; details: string | undefined }>((resolve) =>
      client.makeUnaryRequest('/recall.v1.MemoryService/AddFacts', raw, raw, encoded, (error) =>
        resolve({ code: error?.code ?? status.OK, details: error?.details }),
      ),
    );

    // The handler (which throws a plain Error, INTERNAL) was never reached.
    expect(result).toEqual({
      code: status.INVALID_ARGUMENT,
      details: 'facts[0].content: must be valid UTF-8 (proto3 strings are UTF-8)',
    });
  });

  it('counts started and handled calls per method and code', async () => {
    await start([]);
    await list('ok');
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/grpc_server_handled_total\{[^}]*grpc_method="ListFacts",grpc_code="OK"\} [1-9]/);
    expect(text).toMatch(/grpc_server_started_total\{[^}]*grpc_method="ForgetUser"\} 0/);
  });
});
