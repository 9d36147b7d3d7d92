import { InvalidArgumentError } from '../../../src/domain/errors';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { buildSearch, ctx } from './search-fixture';

describe('documents and collections', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  it('embeds only the documents without a vector, in one batch, and creates the collection', async () => {
    fixture = buildSearch();
    const own = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0));

    const ids = await fixture.service.upsertDocuments(
      'docs',
      [
        { id: 'a', text: 'alpha', metadata: { lang: 'en' } },
        { id: 'b', text: 'beta', metadata: {}, vector: own },
        { id: 'c', text: 'gamma', metadata: {} },
      ],
      ctx(),
    );

    expect(ids).toEqual(['a', 'b', 'c']);
    expect(fixture.embedder.calls).toEqual([['alpha', 'gamma']]);
    expect(fixture.store.records('docs').find((r) => r.id === 'b')?.vector).toEqual(own);
    expect(await fixture.service.listCollections(ctx())).toEqual([
      { name: 'docs', documentCount: 3, dimension: 16, breakerState: 'closed', lexical: true, embeddingSpace: '' },
    ]);
  });

  it('names the document whose vector has the wrong dimension, and writes nothing', async () => {
    fixture = buildSearch();

    const error = await fixture.service
      .upsertDocuments(
        'docs',
        [
          { id: 'a', text: 'alpha', metadata: {} },
          { id: 'b', text: 'beta', metadata: {}, vector: [1, 0, 0] },
        ],
        ctx(),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations).toEqual([
      { field: 'documents[1].vector', description: 'must have 16 dimensions, not 3' },
    ]);
    expect(fixture.store.calls).toEqual([]);
  });

  it('reports an all-zero document vector as documents[i].vector (regression: records[0].vector from the store)', async () => {
    fixture = buildSearch();
    const zeros = new Array<number>(16).fill(0);

    const error = await fixture.service
      .upsertDocuments(
        'docs',
        [
          { id: 'a', text: 'alpha', metadata: {} },
          { id: 'b', text: 'beta', metadata: {}, vector: zeros },
        ],
        ctx(),
      )
      .catch((e: unknown) => e);

    expect((error as InvalidArgumentError).violations).toEqual([
      { field: 'documents[1].vector', description: 'must not be all zeros (cosine similarity is undefined)' },
    ]);
    expect(fixture.store.calls).toEqual([]);
  });

  it('names the text whose embedding is all zeros, and writes nothing', async () => {
    const embedder = new FakeEmbedder();
    embedder.embed = async (texts) => texts.map(() => new Array<number>(16).fill(0));
    fixture = buildSearch({}, { embedder });

    const error = await fixture.service
      .upsertDocuments('docs', [{ id: 'a', text: '...', metadata: {} }], ctx())
      .catch((e: unknown) => e);

    expect((error as InvalidArgumentError).violations).toEqual([
      { field: 'documents[0].text', description: 'gives an all-zero embedding (nothing to search by)' },
    ]);
    // Reads only: the collection limit was checked (listCollections) before anything was embedded.
    expect(fixture.store.calls.filter((c) => c.method !== 'listCollections')).toEqual([]);
  });

  it('refuses writes to internal collections, naming the collection field', async () => {
    fixture = buildSearch();

    for (const write of [
      fixture.service.upsertDocuments('_golden_answers', [{ id: 'x', text: 'x', metadata: {} }], ctx()),
      fixture.service.deleteDocuments('_user_facts', ['x'], ctx()),
    ]) {
      await expect(write).rejects.toMatchObject({ violations: [{ field: 'collection' }] });
    }
    expect(fixture.store.calls).toEqual([]);
  });

  it('deletes by id and counts only the documents that existed', async () => {
    fixture = buildSearch();
    await fixture.service.upsertDocuments('docs', [{ id: 'a', text: 'alpha', metadata: {} }], ctx());

    expect(await fixture.service.deleteDocuments('docs', ['a', 'missing'], ctx())).toBe(1);
  });

  it('lists public collections only, each with its breaker state', async () => {
    fixture = buildSearch();
    await fixture.service.upsertDocuments('docs', [{ id: 'a', text: 'alpha', metadata: {} }], ctx());
    await fixture.service.upsertGoldenAnswer({ question: 'Q?', answer: 'A', sources: [] }, ctx());

    const names = (await fixture.service.listCollections(ctx())).map((c) => c.name);

    expect(names).toEqual(['docs']);
  });
});
