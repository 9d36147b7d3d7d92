import { createAdaptiveWindow } from '../../../src/adapters/http/adaptive-window';
import { backgroundContext } from '../../../src/domain/context';
import { CancelledError } from '../../../src/domain/errors';

/** A window on a hand-driven clock: `tick(ms)` moves time, so latencies are exact. */
function windowOnClock(options: { maxBatch?: number; maxConcurrent?: number; initial?: number } = {}) {
  let clock = 0;
  const window = createAdaptiveWindow({
    maxBatch: options.maxBatch ?? 64,
    maxConcurrent: options.maxConcurrent ?? 4,
    targetLatencyMs: 1_000,
    ...(options.initial !== undefined && { initial: options.initial }),
    now: () => clock,
  });
  return {
    window,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

describe('adaptive window (AIMD on latency)', () => {
  it('starts small and doubles each round while the service answers within the target', async () => {
    const { window, tick } = windowOnClock();
    expect(window.limit()).toBe(8);
    expect(window.batchSize()).toBe(2);
    for (const expected of [16, 32, 64]) {
      const size = window.batchSize();
      const leases = await Promise.all([0, 1, 2, 3].map(() => window.acquire(size, backgroundContext())));
      tick(200);
      for (const lease of leases) lease.release('answered');
      expect(window.limit()).toBe(expected);
    }
    expect(window.batchSize()).toBe(16);
  });

  it('never sends more than maxBatch a request, nor grows past maxBatch × maxConcurrent', async () => {
    const { window } = windowOnClock({ maxBatch: 4, maxConcurrent: 2 });
    for (let i = 0; i < 20; i++) (await window.acquire(window.batchSize(), backgroundContext())).release('answered');
    expect(window.limit()).toBe(8);
    expect(window.batchSize()).toBe(4);
  });

  it('halves once per round when answers come back slower than the target, then grows by about a batch a round', async () => {
    const { window, tick } = windowOnClock({ initial: 64 });
    const slow = await Promise.all([0, 1, 2, 3].map(() => window.acquire(16, backgroundContext())));
    tick(1_500);
    for (const lease of slow) lease.release('answered');
    // Four slow answers to requests sent under the old window: one halving, not four.
    expect(window.limit()).toBe(32);
    const fast = await Promise.all([0, 1, 2, 3].map(() => window.acquire(8, backgroundContext())));
    tick(100);
    for (const lease of fast) lease.release('answered');
    expect(window.limit()).toBeGreaterThan(32);
    expect(window.limit()).toBeLessThanOrEqual(40);
  });

  it('keeps one item per allowed request however slow the answers, so the service stays busy', async () => {
    const { window, tick } = windowOnClock({ initial: 32, maxConcurrent: 4 });
    for (let i = 0; i < 6; i++) {
      const lease = await window.acquire(1, backgroundContext());
      tick(5_000);
      lease.release('answered');
      tick(10);
    }
    expect(window.limit()).toBe(4);
    expect(window.batchSize()).toBe(1);
  });

  it('halves on a timed-out request and never goes below one item', async () => {
    const { window, tick } = windowOnClock({ initial: 4 });
    for (let i = 0; i < 5; i++) {
      const lease = await window.acquire(1, backgroundContext());
      tick(10);
      lease.release('timed-out');
      tick(10);
    }
    expect(window.limit()).toBe(1);
    expect(window.batchSize()).toBe(1);
    // Other failures say nothing about the service's speed.
    (await window.acquire(1, backgroundContext())).release('failed');
    expect(window.limit()).toBe(1);
  });

  it('makes callers wait for room, in arrival order, and lets a request larger than the window go alone', async () => {
    const { window } = windowOnClock({ initial: 4, maxConcurrent: 4 });
    const big = await window.acquire(10, backgroundContext());
    const order: string[] = [];
    const first = window.acquire(3, backgroundContext()).then((lease) => {
      order.push('first');
      return lease;
    });
    const second = window.acquire(1, backgroundContext()).then((lease) => {
      order.push('second');
      return lease;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    big.release('failed');
    (await first).release('failed');
    (await second).release('failed');
    expect(order).toEqual(['first', 'second']);
  });

  it('lets a waiting caller go when its context ends', async () => {
    const { window } = windowOnClock({ initial: 1 });
    const held = await window.acquire(1, backgroundContext());
    const controller = new AbortController();
    const waiting = window.acquire(1, { deadline: Number.POSITIVE_INFINITY, signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
    held.release('answered');
    // The abandoned wait holds no room.
    const next = await window.acquire(1, backgroundContext());
    next.release('answered');
  });
});
