/**
 * The typed client's channel behaviour against a stand-in SearchService on 127.0.0.1:0 whose
 * answers the test scripts: reads retry on UNAVAILABLE, writes never do, every call carries
 * the token and a deadline.
 */
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import {
  ListCollectionsResponse,
  type SearchClient,
  SearchServiceService,
  createSearchClient,
} from '../../../src/client';

describe('typed client channel', () => {
  let server: Server;
  let address: string;
  const seen = { listCollections: 0, upsertDocuments: 0, search: 0, authorization: [] as string[] };
  let client: SearchClient;

  beforeAll(async () => {
    server = new Server();
    const unavailable = { code: status.UNAVAILABLE, details: 'backend restarting' };
    server.addService(SearchServiceService, {
      listCollections(call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) {
        seen.listCollections += 1;
        seen.authorization.push(String(call.metadata.get('authorization')[0]));
        // Fails twice, then answers: within the default three attempts.
        if (seen.listCollections <= 2) return callback(unavailable);
        callback(
          null,
          ListCollectionsResponse.fromPartial({ collections: [{ name: 'docs', documentCount: 3, dimension: 384 }] }),
        );
      },
      upsertDocuments(_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) {
        seen.upsertDocuments += 1;
        callback(unavailable);
      },
      search() {
        // Never answers: the client's default deadline must end the call.
        seen.search += 1;
      },
    } as never);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) =>
        error ? reject(error) : resolve(p),
      ),
    );
    address = `127.0.0.1:${port}`;
    client = createSearchClient({ address, token: 's3cret', defaultDeadlineMs: 300 });
  });

  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  it('retries an idempotent read after UNAVAILABLE and returns its answer', async () => {
    const response = await client.listCollections({}, { deadlineMs: 10_000 });
    expect(response.collections.map((c) => c.name)).toEqual(['docs']);
    expect(seen.listCollections).toBe(3);
    expect(seen.authorization).toEqual(['Bearer s3cret', 'Bearer s3cret', 'Bearer s3cret']);
  });

  it('never retries a write', async () => {
    await expect(client.upsertDocuments({ collection: 'docs', documents: [] })).rejects.toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(seen.upsertDocuments).toBe(1);
  });

  it('ends a call that gets no answer at the default deadline', async () => {
    await expect(
      client.search({
        query: 'x',
        vector: [],
        collections: [],
        limit: 1,
        filters: [],
        rerank: 0,
        userId: '',
        skipGoldenAnswer: false,
        goldenAnswerOnly: false,
        retrieval: 0,
        fusion: 0,
        rrfK: 0,
      }),
    ).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
  });

  it('turns retries off on request', async () => {
    const noRetry = createSearchClient({ address, retry: false });
    seen.listCollections = 0;
    try {
      await expect(noRetry.listCollections({})).rejects.toMatchObject({ code: status.UNAVAILABLE });
      expect(seen.listCollections).toBe(1);
    } finally {
      noRetry.close();
    }
  });
});
