import { UnavailableError } from '../../../src/domain/errors';
import { buildSearch, ctx, searchRequest } from './search-fixture';

const hits = (prefix: string, scores: number[]) => scores.map((score, i) => ({ id: `${prefix}${i}`, score }));

describe('two-phase search over several collections', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  it('asks the collections for ids and scores only, then fetches content for the survivors', async () => {
    fixture = buildSearch({ candidateMultiplier: 2 });
    fixture.store.scriptHits('a', hits('a', [0.8, 0.7, 0.6, 0.5]));
    fixture.store.scriptHits('b', hits('b', [0.75, 0.4, 0.3, 0.2]));

    const result = await fixture.service.search(
      searchRequest({ collections: ['a', 'b'], limit: 2, rerank: 'never' }),
      ctx(),
    );

    expect(result.hits.map((h) => [h.id, h.text])).toEqual([
      ['a0', 'text of a0'],
      ['b0', 'text of b0'],
    ]);
    const searches = fixture.store.calls.filter((c) => c.method === 'search' && c.collection !== '_golden_answers');
    expect(searches.every((c) => c.query?.withContent === false)).toBe(true);
    const fetched = fixture.store.calls.filter((c) => c.method === 'fetch').flatMap((c) => c.ids ?? []);
    expect(fetched.sort()).toEqual(['a0', 'a1', 'a2', 'b0']);
  });

  it('reports a collection whose content cannot be read as failed, keeping the others', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('a', hits('a', [0.8]));
    fixture.store.scriptHits('b', hits('b', [0.9]));
    const realFetch = fixture.store.fetch.bind(fixture.store);
    fixture.store.fetch = async (collection, ids, c) => {
      if (collection === 'b') throw new UnavailableError('b is unavailable');
      return realFetch(collection, ids, c);
    };

    const result = await fixture.service.search(searchRequest({ collections: ['a', 'b'] }), ctx());

    expect(result.hits.map((h) => h.id)).toEqual(['a0']);
    expect(result).toMatchObject({ partial: true, failedCollections: [{ name: 'b', reason: 'b is unavailable' }] });
  });

  it('is UNAVAILABLE when no collection content can be read', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('a', hits('a', [0.8]));
    fixture.store.scriptHits('b', hits('b', [0.9]));
    fixture.store.fetch = async () => {
      throw new UnavailableError('down');
    };
    await expect(fixture.service.search(searchRequest({ collections: ['a', 'b'] }), ctx())).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('searches a single collection in one step', async () => {
    fixture = buildSearch();
    fixture.store.scriptHits('docs', hits('d', [0.8, 0.7]));
    const result = await fixture.service.search(searchRequest({ collections: ['docs'] }), ctx());
    expect(result.hits[0]?.text).toBe('text of d0');
    expect(fixture.store.calls.some((c) => c.method === 'fetch')).toBe(false);
  });
});
