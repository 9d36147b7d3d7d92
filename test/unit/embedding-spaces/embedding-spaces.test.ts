/**
 * Vector spaces never mix silently: a collection records the space (model and dimension) of
 * the vectors recall embedded into it, and a server embedding with another model refuses to
 * embed into it or to search it with its own query vectors, naming both spaces.
 */
import { backgroundContext } from '../../../src/domain/context';
import { createEmbeddingSpaceGuard, embeddingSpaceOf } from '../../../src/domain/embedding-spaces';
import { FailedPreconditionError, NotFoundError } from '../../../src/domain/errors';
import { reEmbedCollection, reEmbedStagingName } from '../../../src/domain/re-embed';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { FakeEmbeddingSpaceRepository } from '../../support/fakes/fake-embedding-space-repository';
import { FakeVectorStore } from '../../support/fakes/fake-vector-store';
import { buildSearch, searchRequest } from '../search/search-fixture';

const ctx = backgroundContext;

/** An embedder like FakeEmbedder under another model's name. */
class OtherModel extends FakeEmbedder {
  override readonly name = 'other-model';
}

const doc = (id: string, text: string) => ({ id, text, metadata: {} });

function setup() {
  const repository = new FakeEmbeddingSpaceRepository();
  const store = new FakeVectorStore();
  const serverWith = (embedder: FakeEmbedder) =>
    buildSearch(
      { defaultCollections: ['docs'] },
      { vectorStore: store, embedder, spaces: createEmbeddingSpaceGuard({ repository, embedder, ttlMs: 0 }) },
    ).service;
  return { repository, store, serverWith };
}

describe('embedding spaces', () => {
  it('names a space by model and dimension', () => {
    expect(embeddingSpaceOf(new FakeEmbedder(16))).toBe('fake-embedder@16');
    expect(embeddingSpaceOf(new FakeEmbedder(32))).not.toBe(embeddingSpaceOf(new FakeEmbedder(16)));
  });

  it('records the space of the first embedded write, and the collection lists it', async () => {
    const { repository, serverWith } = setup();
    const server = serverWith(new FakeEmbedder());
    await server.upsertDocuments('docs', [doc('a', 'circuit breakers open')], ctx());
    expect(repository.spaces.get('docs')).toBe('fake-embedder@16');
    expect((await server.listCollections(ctx()))[0]).toMatchObject({
      name: 'docs',
      embeddingSpace: 'fake-embedder@16',
    });
  });

  it('refuses another model, naming both spaces, for writes and for searches it embeds', async () => {
    const { serverWith } = setup();
    await serverWith(new FakeEmbedder()).upsertDocuments('docs', [doc('a', 'circuit breakers open')], ctx());
    const other = serverWith(new OtherModel());

    const write = other.upsertDocuments('docs', [doc('b', 'pools wait')], ctx());
    await expect(write).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(write).rejects.toThrow(/"fake-embedder@16".*"other-model@16"/);
    await expect(other.search(searchRequest({ retrieval: 'dense' }), ctx())).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    await expect(other.search(searchRequest({ retrieval: 'hybrid' }), ctx())).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
  });

  it('leaves what recall does not embed unchecked: callers vectors and lexical searches', async () => {
    const { serverWith } = setup();
    await serverWith(new FakeEmbedder()).upsertDocuments('docs', [doc('a', 'circuit breakers open')], ctx());
    const other = serverWith(new OtherModel());
    const vector = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0));
    await expect(other.upsertDocuments('docs', [{ ...doc('c', 'x'), vector }], ctx())).resolves.toEqual(['c']);
    await expect(
      other.search(searchRequest({ query: undefined, vector, retrieval: 'dense' }), ctx()),
    ).resolves.toMatchObject({ partial: false });
    await expect(other.search(searchRequest({ retrieval: 'lexical' }), ctx())).resolves.toMatchObject({
      partial: false,
    });
  });

  it('re-reads the records after its TTL, so a re-embed by another process is seen', async () => {
    const repository = new FakeEmbeddingSpaceRepository();
    let now = 0;
    const guard = createEmbeddingSpaceGuard({ repository, embedder: new FakeEmbedder(), ttlMs: 1_000, now: () => now });
    repository.spaces.set('docs', 'old-model@16');
    await expect(guard.check(['docs'], ctx())).rejects.toBeInstanceOf(FailedPreconditionError);
    repository.spaces.set('docs', 'fake-embedder@16');
    await expect(guard.check(['docs'], ctx())).rejects.toBeInstanceOf(FailedPreconditionError);
    now += 1_001;
    await expect(guard.check(['docs'], ctx())).resolves.toBeUndefined();
    expect(repository.reads).toBe(2);
  });
});

describe('re-embed', () => {
  async function collectionWith(store: FakeVectorStore, count: number) {
    const old = new FakeEmbedder(8);
    const texts = Array.from({ length: count }, (_, i) => `document ${i} about topic ${i % 7}`);
    const vectors = await old.embed(texts, ctx());
    await store.ensureCollection('docs', 8, ctx());
    await store.upsert(
      'docs',
      texts.map((text, i) => ({ id: `d${i}`, text, metadata: { i }, vector: vectors[i]! })),
      ctx(),
    );
  }

  it('moves every record to the new model and records its space', async () => {
    const store = new FakeVectorStore();
    const spaces = new FakeEmbeddingSpaceRepository();
    spaces.spaces.set('docs', 'fake-embedder@8');
    await collectionWith(store, 50);
    const embedder = new OtherModel(24);

    const result = await reEmbedCollection({ vectorStore: store, embedder, spaces, batchSize: 7 }, 'docs', ctx());

    expect(result).toEqual({ reEmbedded: 50, space: 'other-model@24' });
    expect(spaces.spaces.get('docs')).toBe('other-model@24');
    expect(await store.listCollections(ctx())).toEqual([{ name: 'docs', count: 50, dimension: 24, lexical: true }]);
    const [expected] = await embedder.embed(['document 3 about topic 3'], ctx());
    const [hit] = await store.search('docs', { vector: expected!, limit: 1, filters: [] }, ctx());
    expect(hit).toMatchObject({ id: 'd3', metadata: { i: 3 } });
  });

  it('resumes a run that stopped half-way, losing nothing', async () => {
    const store = new FakeVectorStore();
    const spaces = new FakeEmbeddingSpaceRepository();
    await collectionWith(store, 40);
    const embedder = new OtherModel(24);
    let calls = 0;
    const failing = {
      name: embedder.name,
      dimension: embedder.dimension,
      embed: async (texts: string[], c: ReturnType<typeof ctx>) => {
        calls += 1;
        if (calls === 3) throw new Error('model went away');
        return embedder.embed(texts, c);
      },
    };
    await expect(
      reEmbedCollection({ vectorStore: store, embedder: failing, spaces, batchSize: 10 }, 'docs', ctx()),
    ).rejects.toThrow('model went away');
    const midway = await store.listCollections(ctx());
    expect(midway.reduce((n, c) => n + c.count, 0)).toBe(40);
    expect(midway.map((c) => c.name)).toContain(reEmbedStagingName('docs'));

    await reEmbedCollection({ vectorStore: store, embedder, spaces, batchSize: 10 }, 'docs', ctx());
    expect(await store.listCollections(ctx())).toEqual([{ name: 'docs', count: 40, dimension: 24, lexical: true }]);
  });

  it('is NOT_FOUND for a collection that does not exist', async () => {
    const args = {
      vectorStore: new FakeVectorStore(),
      embedder: new FakeEmbedder(),
      spaces: new FakeEmbeddingSpaceRepository(),
    };
    await expect(reEmbedCollection(args, 'nope', ctx())).rejects.toBeInstanceOf(NotFoundError);
  });
});
