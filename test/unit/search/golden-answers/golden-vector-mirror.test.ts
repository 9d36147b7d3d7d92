import { createGoldenVectorMirror } from '../../../../src/domain/search/golden-answers/golden-vector-mirror';
import { FakeVectorStore } from '../../../support/fakes/fake-vector-store';
import { buildSearch, ctx, searchRequest } from '../search-fixture';

const basis = (x: number, y: number) => [x, y, ...Array.from({ length: 14 }, () => 0)];

describe('golden-answer vector mirror', () => {
  it('serves semantic golden answers from memory: one read of the collection, no search per query', async () => {
    const fixture = buildSearch();
    fixture.store.scriptHits('docs', [{ id: 'doc', score: 0.5 }]);
    fixture.embedder.pin('How do I reset my password?', basis(1, 0));
    await fixture.service.upsertGoldenAnswer(
      { question: 'How do I reset my password?', answer: 'Use the link.', sources: [] },
      ctx(),
    );
    fixture.embedder.pin('forgot my login secret', basis(1, 0.2));
    for (let i = 0; i < 5; i++) {
      const result = await fixture.service.search(searchRequest({ query: 'forgot my login secret' }), ctx());
      expect(result.goldenAnswer).toMatchObject({ answer: 'Use the link.', match: 'semantic' });
    }
    expect(fixture.store.searchesOf('_golden_answers')).toBe(0);
    expect(fixture.store.calls.filter((c) => c.method === 'scan')).toHaveLength(1);
    fixture.service.close();
  });

  it('sees another writer after its time to live, and at once after invalidate', async () => {
    let now = 0;
    const store = new FakeVectorStore();
    await store.ensureCollection('_golden_answers', 16, ctx());
    await store.upsert('_golden_answers', [{ id: 'a', text: 'q', metadata: {}, vector: basis(1, 0) }], ctx());
    const mirror = createGoldenVectorMirror({
      vectorStore: store,
      collection: '_golden_answers',
      ttlMs: 1000,
      maxEntries: 10,
      now: () => now,
    });
    expect((await mirror.nearest(basis(0, 1), ctx()))?.id).toBe('a');
    await store.upsert('_golden_answers', [{ id: 'b', text: 'q', metadata: {}, vector: basis(0, 1) }], ctx());
    expect((await mirror.nearest(basis(0, 1), ctx()))?.id).toBe('a');
    now = 1000;
    expect(await mirror.nearest(basis(0, 1), ctx())).toMatchObject({ id: 'b', score: expect.closeTo(1, 5) });
    await store.delete('_golden_answers', ['b'], ctx());
    mirror.invalidate();
    expect((await mirror.nearest(basis(0, 1), ctx()))?.id).toBe('a');
  });

  it('leaves large or unreadable collections to the store, and treats a missing one as empty', async () => {
    const store = new FakeVectorStore();
    const options = { vectorStore: store, collection: '_golden_answers', ttlMs: 1000 };
    expect(await createGoldenVectorMirror({ ...options, maxEntries: 1 }).nearest(basis(1, 0), ctx())).toBeNull();
    await store.ensureCollection('_golden_answers', 16, ctx());
    await store.upsert(
      '_golden_answers',
      ['a', 'b'].map((id) => ({ id, text: id, metadata: {}, vector: basis(1, 0) })),
      ctx(),
    );
    expect(await createGoldenVectorMirror({ ...options, maxEntries: 1 }).nearest(basis(1, 0), ctx())).toBeUndefined();
    store.failOn('_golden_answers', new Error('down'));
    expect(await createGoldenVectorMirror({ ...options, maxEntries: 10 }).nearest(basis(1, 0), ctx())).toBeUndefined();
  });
});
