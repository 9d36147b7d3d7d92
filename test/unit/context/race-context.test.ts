import { setTimeout as sleep } from 'node:timers/promises';
import { backgroundContext, contextError, contextWithTimeout } from '../../../src/domain/context';
import { CancelledError, DeadlineExceededError } from '../../../src/domain/errors';
import { raceContext } from '../../../src/domain/race-context';

function cancellable() {
  const controller = new AbortController();
  return { controller, ctx: { deadline: Number.POSITIVE_INFINITY, signal: controller.signal } };
}

describe('raceContext: bounding work by the caller’s context', () => {
  it('ends as deadline exceeded, not cancelled, when its timer fires before the clock reaches the deadline', async () => {
    const realNow = Date.now.bind(Date);
    let lag = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() - lag);
    try {
      const ctx = { deadline: realNow() + 30, signal: new AbortController().signal };
      const racing = raceContext(new Promise(() => undefined), ctx).catch((e: unknown) => e);
      // Once the timer is set, the wall clock falls 5 ms behind it (as it may by a millisecond).
      lag = 5;
      const error = await racing;
      expect(error).toBeInstanceOf(DeadlineExceededError);
    } finally {
      clock.mockRestore();
    }
  });

  it('settles like the work while the context lasts', async () => {
    await expect(raceContext(Promise.resolve('done'), backgroundContext())).resolves.toBe('done');
    await expect(raceContext(Promise.reject(new Error('boom')), backgroundContext())).rejects.toThrow('boom');
  });

  it('rejects with DeadlineExceededError at the deadline even when the work ignores it', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(raceContext(never, contextWithTimeout(20))).rejects.toBeInstanceOf(DeadlineExceededError);
  });

  it('rejects with CancelledError as soon as the caller cancels', async () => {
    const { controller, ctx } = cancellable();
    const race = raceContext(sleep(10_000, 'late', { ref: false }), ctx);
    controller.abort();
    await expect(race).rejects.toBeInstanceOf(CancelledError);
  });

  it('hands a value that arrives after the race was lost to abandon, so it can be released', async () => {
    const { controller, ctx } = cancellable();
    const released: string[] = [];
    const race = raceContext(sleep(30, 'connection'), ctx, { abandon: (value) => released.push(value) });
    controller.abort();
    await expect(race).rejects.toBeInstanceOf(CancelledError);
    await sleep(60);
    expect(released).toEqual(['connection']);
  });

  it('uses the caller’s own error when given one', async () => {
    const { controller, ctx } = cancellable();
    const race = raceContext(new Promise(() => undefined), ctx, { endError: () => new Error('milvus too slow') });
    controller.abort();
    await expect(race).rejects.toThrow('milvus too slow');
  });

  it('contextError names the deadline first, then cancellation', () => {
    expect(contextError({ deadline: Date.now() - 1, signal: AbortSignal.abort() })).toBeInstanceOf(
      DeadlineExceededError,
    );
    expect(contextError({ deadline: Date.now() + 60_000, signal: AbortSignal.abort() })).toBeInstanceOf(CancelledError);
  });
});
