import { contextWithTimeout } from '../../../src/domain/context';
import { DeadlineExceededError, NotFoundError, UnavailableError } from '../../../src/domain/errors';
import { buildSearch, counterValue, ctx, searchRequest } from './search-fixture';

describe('collection fan-out', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  const scriptThree = () => {
    for (const name of ['a', 'b', 'c']) fixture.store.scriptHits(name, [{ id: `${name}1`, score: 0.5 }]);
  };

  it('has every collection search in flight at once in parallel mode', async () => {
    fixture = buildSearch({ fanOut: 'parallel' });
    scriptThree();
    // Each search is held until all three are pending: a sequential fan-out could never get there.
    fixture.store.holdSearchesUntil(3);

    const result = await fixture.service.search(
      searchRequest({ collections: ['a', 'b', 'c'], skipGoldenAnswer: true }),
      ctx(),
    );

    expect(fixture.store.maxInFlight).toBe(3);
    expect(result.partial).toBe(false);
    expect(result.hits.map((h) => h.collection).sort()).toEqual(['a', 'b', 'c']);
    expect(await counterValue(fixture.metrics.parallelSearches)).toBe(1);
  });

  it('never has more than one search in flight in sequential mode', async () => {
    fixture = buildSearch({ fanOut: 'sequential' });
    scriptThree();

    const result = await fixture.service.search(
      searchRequest({ collections: ['a', 'b', 'c'], skipGoldenAnswer: true }),
      ctx(),
    );

    expect(fixture.store.maxInFlight).toBe(1);
    expect(result.hits).toHaveLength(3);
    expect(await counterValue(fixture.metrics.parallelSearches)).toBe(0);
  });

  it('answers from the other collections when one throws', async () => {
    fixture = buildSearch();
    scriptThree();
    fixture.store.failOn('b', new UnavailableError('milvus unreachable'));

    const result = await fixture.service.search(searchRequest({ collections: ['a', 'b', 'c'] }), ctx());

    expect(result.partial).toBe(true);
    expect(result.failedCollections).toEqual([{ name: 'b', reason: 'milvus unreachable' }]);
    expect(result.hits.map((h) => h.collection).sort()).toEqual(['a', 'c']);
  });

  it('reports a collection whose breaker is open without calling its store', async () => {
    fixture = buildSearch({ breaker: { volumeThreshold: 2, errorThresholdPercentage: 50 } });
    scriptThree();
    fixture.store.failOn('b', new UnavailableError('milvus unreachable'));
    const request = searchRequest({ collections: ['a', 'b'] });
    await fixture.service.search(request, ctx());
    await fixture.service.search(request, ctx());
    const callsWhenOpened = fixture.store.searchesOf('b');
    expect(fixture.service.openCollections()).toEqual(['b']);

    const result = await fixture.service.search(request, ctx());

    expect(fixture.store.searchesOf('b')).toBe(callsWhenOpened);
    expect(result.partial).toBe(true);
    expect(result.failedCollections).toEqual([{ name: 'b', reason: expect.stringContaining('circuit breaker open') }]);
    expect(result.hits.map((h) => h.id)).toEqual(['a1']);
    expect(fixture.service.breakerStates()).toContainEqual({ collection: 'b', breaker: 'collection:b', state: 'open' });
  });

  it('reports a collection that outlives its own timeout as failed', async () => {
    // Long enough that the answering collection never runs into it on a loaded machine (20 ms did).
    fixture = buildSearch({ perCollectionTimeoutMs: 1_000 });
    scriptThree();
    fixture.store.hangOn('c');

    const result = await fixture.service.search(searchRequest({ collections: ['a', 'c'] }), ctx());

    expect(result.partial).toBe(true);
    expect(result.failedCollections).toEqual([{ name: 'c', reason: expect.stringContaining('timed out') }]);
  });

  it('is UNAVAILABLE when every collection fails', async () => {
    fixture = buildSearch();
    fixture.store.failOn('a', new UnavailableError('down')).failOn('b', new Error('socket hang up'));

    const search = fixture.service.search(searchRequest({ collections: ['a', 'b'] }), ctx());

    await expect(search).rejects.toBeInstanceOf(UnavailableError);
    await expect(search).rejects.toThrow(/a \(down\), b \(internal error\)/);
  });

  it('is NOT_FOUND when every requested collection is unknown, and that never opens a breaker', async () => {
    fixture = buildSearch({ breaker: { volumeThreshold: 1 } });

    for (let i = 0; i < 3; i++) {
      await expect(fixture.service.search(searchRequest({ collections: ['nope'] }), ctx())).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
    expect(fixture.service.openCollections()).toEqual([]);
  });

  it('gives up at the caller deadline with DEADLINE_EXCEEDED, not counting it against the breaker', async () => {
    fixture = buildSearch({ perCollectionTimeoutMs: 60_000, breaker: { volumeThreshold: 1 } });
    fixture.store.hangOn('a');

    await expect(
      fixture.service.search(searchRequest({ collections: ['a'] }), contextWithTimeout(20)),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(fixture.service.openCollections()).toEqual([]);
  });

  it('times each collection search', async () => {
    fixture = buildSearch();
    scriptThree();

    await fixture.service.search(searchRequest({ collections: ['a', 'b'] }), ctx());

    const { values } = await fixture.metrics.vectorSearchDuration.get();
    const counts = values.filter((v) => v.metricName?.endsWith('_count'));
    expect(counts.map((v) => [v.labels.collection, v.value]).sort()).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });
});
