import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, UnavailableError } from '../../../src/domain/errors';
import { heapAfterGc } from '../../support/heap';
import { buildSearch, ctx, searchRequest } from './search-fixture';

// A full collection so the heap figure is steady: exposed here rather than with a jest flag.

/**
 * Unknown names searched per phase: enough that a breaker or a series kept per name (~20 KB
 * each) stands far above the heap's noise, few enough to stay quick. 10,000 per phase hit
 * jest's 60 s default on a loaded machine (load average 10).
 */
const NAMES = 2_000;
/** The work is bounded by NAMES, not by time: a slow machine must not fail it. */
const BOUNDED_WORK_TIMEOUT_MS = 600_000;

describe('state kept per caller-chosen collection name (regression: unknown names grew /metrics and memory)', () => {
  let fixture: ReturnType<typeof buildSearch>;
  afterEach(() => fixture.service.close());

  const searchUnknown = async (from: number, count: number) => {
    for (let i = from; i < from + count; i++) {
      const search = fixture.service.search(
        searchRequest({ collections: [`unknown_${i}`], skipGoldenAnswer: true }),
        ctx(),
      );
      await expect(search).rejects.toBeInstanceOf(NotFoundError);
      // The fake records every call; that log is the test's, not the service's.
      fixture.store.calls.splice(0);
    }
  };

  it(
    'keeps /metrics, the breaker count and the heap flat over thousands of unknown collections',
    async () => {
      // A short per-collection timeout: Node holds a pending timeout's signal until it fires.
      fixture = buildSearch({ perCollectionTimeoutMs: 250 });
      fixture.store.scriptHits('docs', [{ id: 'd1', score: 0.5 }]);
      await fixture.service.search(searchRequest({ collections: ['docs'], skipGoldenAnswer: true }), ctx());
      // Warm-up: the first calls compile code paths and allocate caches that are not per name.
      await searchUnknown(0, NAMES / 4);
      await sleep(400);
      const metricsBefore = (await fixture.metrics.registry.metrics()).length;
      const breakersBefore = fixture.service.breakerStates().length;
      // The heap is compared between two later points, so one-off growth (code optimised on the
      // way, pools and caches reaching their size) does not count: only what grows per name does.
      await searchUnknown(NAMES / 4, NAMES);
      await sleep(400);
      const heapBefore = heapAfterGc();

      await searchUnknown(NAMES * 1.25, NAMES);
      await sleep(400);

      const metricsAfter = (await fixture.metrics.registry.metrics()).length;
      expect(fixture.service.breakerStates()).toEqual([
        { collection: 'docs', breaker: 'collection:docs', state: 'closed' },
      ]);
      expect(breakersBefore).toBe(1);
      // Counts grow by a digit or two; a series per name would add ~2 KB each.
      expect(Math.abs(metricsAfter - metricsBefore) / metricsBefore).toBeLessThan(0.01);
      expect(await fixture.metrics.registry.metrics()).not.toMatch(/="unknown_\d/);
      // A breaker and its series per name cost ~20 KB each: 2,000 of them would be ~40 MB (10,000
      // were +202 MB before the fix). What remains between these two points is noise of a few MB.
      expect(heapAfterGc() - heapBefore).toBeLessThan(16 * 1024 * 1024);
    },
    BOUNDED_WORK_TIMEOUT_MS,
  );

  it('gives a breaker to a collection whose store is failing, so outages still open it', async () => {
    fixture = buildSearch({ breaker: { volumeThreshold: 2 } });
    fixture.store.failOn('flaky', new UnavailableError('milvus unreachable'));

    for (let i = 0; i < 2; i++) {
      await fixture.service
        .search(searchRequest({ collections: ['flaky'], skipGoldenAnswer: true }), ctx())
        .catch(() => undefined);
    }

    expect(fixture.service.openCollections()).toEqual(['flaky']);
  });

  it('caps the breakers of created collections, evicting idle ones with their metric series', async () => {
    fixture = buildSearch({ breaker: { maxCollections: 10 } });

    for (let i = 0; i < 50; i++) {
      await fixture.service.upsertDocuments(`made_${i}`, [{ id: 'x', text: 'some text', metadata: {} }], ctx());
      await fixture.service.search(searchRequest({ collections: [`made_${i}`], skipGoldenAnswer: true }), ctx());
    }

    const alive = fixture.service.breakerStates().map((s) => s.collection);
    expect(alive).toHaveLength(10);
    expect(alive).toContain('made_49');
    const text = await fixture.metrics.registry.metrics();
    expect(text).not.toContain('made_0"');
    expect(text).toContain('collection:made_49');
    expect(text).toContain('collection="made_49"');
  });

  it('forgets the breaker of a collection that stopped existing', async () => {
    fixture = buildSearch();
    await fixture.service.upsertDocuments('gone', [{ id: 'x', text: 'some text', metadata: {} }], ctx());
    expect(fixture.service.breakerStates().map((s) => s.collection)).toEqual(['gone']);
    fixture.store.failOn('gone', new NotFoundError('collection gone not found'));

    await expect(
      fixture.service.search(searchRequest({ collections: ['gone'], skipGoldenAnswer: true }), ctx()),
    ).rejects.toBeInstanceOf(NotFoundError);

    expect(fixture.service.breakerStates()).toEqual([]);
  });
});
