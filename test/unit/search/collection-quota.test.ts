import { ResourceExhaustedError } from '../../../src/domain/errors';
import { toGrpcStatus } from '../../../src/grpc/error-status';
import { buildSearch, ctx } from './search-fixture';

/**
 * Issue 16: any caller allowed to upsert could create collections up to the breaker cap of
 * 1,000, each with a breaker and ~44 metric series. MAX_COLLECTIONS bounds them.
 */
describe('collections created through UpsertDocuments', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());
  const doc = [{ id: 'x', text: 'some text', metadata: {} }];

  it('refuses one collection too many with RESOURCE_EXHAUSTED, before embedding or writing anything', async () => {
    fixture = buildSearch({ maxCollections: 2 });
    await fixture.service.upsertDocuments('first', doc, ctx());
    await fixture.service.upsertDocuments('second', doc, ctx());
    const embedded = fixture.embedder.textsEmbedded;

    const error = await fixture.service.upsertDocuments('third', doc, ctx()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect((error as Error).message).toBe(
      'collection third cannot be created: 2 collections exist, the most allowed (MAX_COLLECTIONS=2)',
    );
    expect(toGrpcStatus(error).error.code).toBe(8); // RESOURCE_EXHAUSTED
    expect(fixture.embedder.textsEmbedded).toBe(embedded);
    expect((await fixture.service.listCollections(ctx())).map((c) => c.name)).toEqual(['first', 'second']);
    expect(fixture.service.breakerStates().map((s) => s.collection)).toEqual(['first', 'second']);
  });

  it('still writes to the collections that exist, those another replica created included', async () => {
    fixture = buildSearch({ maxCollections: 2 });
    await fixture.service.upsertDocuments('first', doc, ctx());
    // Created elsewhere (another replica, or before a restart): this process has no breaker for it yet.
    await fixture.store.ensureCollection('elsewhere', 16, ctx());

    await fixture.service.upsertDocuments('first', [{ id: 'y', text: 'more text', metadata: {} }], ctx());
    await fixture.service.upsertDocuments('elsewhere', doc, ctx());
    await expect(fixture.service.upsertDocuments('third', doc, ctx())).rejects.toBeInstanceOf(ResourceExhaustedError);

    expect(fixture.store.records('first')).toHaveLength(2);
    expect(fixture.store.records('elsewhere')).toHaveLength(1);
  });

  it("does not count recall's own internal collections", async () => {
    fixture = buildSearch({ maxCollections: 1 });
    await fixture.store.ensureCollection('_golden_answers', 16, ctx());
    await fixture.store.ensureCollection('_user_facts', 16, ctx());

    await expect(fixture.service.upsertDocuments('only', doc, ctx())).resolves.toEqual(['x']);
  });
});
