import { InvalidArgumentError, UnavailableError } from '../../../src/domain/errors';
import type { MetadataFilter } from '../../../src/domain/ports';
import { buildSearch, ctx, searchRequest } from './search-fixture';

describe('search results', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  it('keeps one hit per collection and id, with its best score, best first', async () => {
    fixture = buildSearch();
    fixture.store
      .scriptHits('docs', [
        { id: 'a', score: 0.5 },
        { id: 'b', score: 0.6 },
        { id: 'a', score: 0.7 },
      ])
      .scriptHits('news', [{ id: 'a', score: 0.4 }]);

    const result = await fixture.service.search(
      searchRequest({ collections: ['docs', 'news'], rerank: 'never' }),
      ctx(),
    );

    expect(result.hits.map((h) => [h.collection, h.id, h.vectorScore])).toEqual([
      ['docs', 'a', 0.7],
      ['docs', 'b', 0.6],
      ['news', 'a', 0.4],
    ]);
  });

  it('returns at most limit hits and asks each collection for the fusion depth, whatever the limit', async () => {
    fixture = buildSearch({ fusionDepth: 15 });
    fixture.store.scriptHits(
      'docs',
      Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, score: 0.8 - i / 100 })),
    );

    const result = await fixture.service.search(searchRequest({ limit: 5, rerank: 'never' }), ctx());

    expect(result.hits.map((h) => h.id)).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
    expect(fixture.store.calls.find((c) => c.collection === 'docs')?.query?.limit).toBe(15);
  });

  it('passes the filters and the query vector through to every collection', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', []).scriptHits('news', []);
    const filters: MetadataFilter[] = [
      { field: 'lang', operator: 'eq', values: ['en'] },
      { field: 'year', operator: 'gte', values: [2020] },
    ];

    await fixture.service.search(searchRequest({ collections: ['docs', 'news'], filters }), ctx());

    const [queryVector] = await fixture.embedder.embed(['how do circuit breakers work'], ctx());
    const searches = fixture.store.calls.filter((c) => c.method === 'search' && c.collection !== '_golden_answers');
    expect(searches.map((c) => [c.collection, c.query?.filters, c.query?.vector])).toEqual([
      ['docs', filters, queryVector],
      ['news', filters, queryVector],
    ]);
  });

  it('finds the nearest stored documents end to end', async () => {
    fixture = buildSearch();
    await fixture.service.upsertDocuments(
      'docs',
      [
        { id: 'cb', text: 'circuit breakers stop calls to failing backends', metadata: {} },
        { id: 'pg', text: 'postgres pool sizing', metadata: {} },
      ],
      ctx(),
    );

    const result = await fixture.service.search(searchRequest({ query: 'circuit breakers', rerank: 'never' }), ctx());

    expect(result.hits[0]).toMatchObject({ id: 'cb', collection: 'docs' });
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.vectorSearchMs);
  });

  it('searches the default collections when none are named', async () => {
    fixture = buildSearch({ defaultCollections: ['docs', 'news'] });
    fixture.store.scriptHits('docs', [{ id: 'd', score: 0.1 }]).scriptHits('news', [{ id: 'n', score: 0.2 }]);

    const result = await fixture.service.search(searchRequest({ collections: [], rerank: 'never' }), ctx());

    expect(result.hits.map((h) => h.id)).toEqual(['n', 'd']);
  });

  it('uses a given vector instead of embedding the query', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', [{ id: 'd', score: 0.3 }]);

    const result = await fixture.service.search(
      searchRequest({ vector: Array.from({ length: 16 }, () => 0.25) }),
      ctx(),
    );

    expect(fixture.embedder.calls).toEqual([]);
    expect(result.timings.embeddingMs).toBe(0);
  });

  it('names every bad field at once', async () => {
    fixture = buildSearch({ maxLimit: 100 });

    const error = await fixture.service
      .search(searchRequest({ query: undefined, limit: 101, collections: ['docs', '_user_facts'] }), ctx())
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).violations.map((v) => v.field)).toEqual([
      'query',
      'limit',
      'collections[1]',
    ]);
    expect(fixture.store.calls).toEqual([]);
  });

  it('refuses a vector of the wrong dimension', async () => {
    fixture = buildSearch();

    await expect(fixture.service.search(searchRequest({ vector: [1, 0] }), ctx())).rejects.toMatchObject({
      violations: [{ field: 'vector', description: expect.stringContaining('16') }],
    });
  });

  it('counts the search for the user, and a failure to count does not fail the search', async () => {
    const counted: string[] = [];
    fixture = buildSearch(
      {},
      {
        memory: {
          recordSearch: async (userId) => {
            counted.push(userId);
            throw new UnavailableError('postgres down');
          },
        },
      },
    );
    fixture.store.scriptHits('docs', [{ id: 'd', score: 0.3 }]);

    const result = await fixture.service.search(searchRequest({ userId: 'alice' }), ctx());
    await fixture.service.search(searchRequest(), ctx());

    expect(result.hits).toHaveLength(1);
    expect(counted).toEqual(['alice']);
  });
});
