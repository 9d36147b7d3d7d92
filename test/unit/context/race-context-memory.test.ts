import { setTimeout as sleep } from 'node:timers/promises';
import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { raceContext } from '../../../src/domain/race-context';
import { heapAfterGc } from '../../support/heap';

describe('raceContext memory (regression: every search leaked its timeout signal, ~3 KB, on Node 20)', () => {
  it('lets a finished race release its child context', async () => {
    const race = async () => {
      // What runWithTimeout does per collection: a child of the call's context, raced. A short
      // timeout: Node keeps a pending timeout's signal until it fires, which is not a leak.
      const child = contextWithTimeout(20, backgroundContext());
      await raceContext(Promise.resolve(1), child);
    };
    for (let i = 0; i < 500; i++) await race();
    await sleep(100);
    const before = heapAfterGc();

    for (let i = 0; i < 10_000; i++) await race();
    await sleep(100);

    // Kept alive, 10,000 signals with their listeners were ~30 MB.
    expect(heapAfterGc() - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('still ends every race watching a shared signal when it aborts', async () => {
    const controller = new AbortController();
    const shared = { deadline: Number.POSITIVE_INFINITY, signal: controller.signal };
    const pending = [1, 2, 3].map(() => raceContext(new Promise<number>(() => undefined), shared));
    await raceContext(Promise.resolve(0), shared);

    controller.abort();

    for (const race of pending) await expect(race).rejects.toThrow('cancelled');
  });
});
