import { sendAdaptive } from '../../../src/adapters/http/adaptive-batches';
import { createAdaptiveWindow } from '../../../src/adapters/http/adaptive-window';
import { type CallContext, backgroundContext } from '../../../src/domain/context';
import { CancelledError, UnavailableError } from '../../../src/domain/errors';

class TimedOut extends Error {}

const isTimeout = (error: unknown) => error instanceof TimedOut;
const window = (initial = 8, maxBatch = 64) =>
  createAdaptiveWindow({ maxBatch, maxConcurrent: 4, targetLatencyMs: 60_000, initial });
const items = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Resolves when every send started so far has seen its signal abort. */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

describe('sendAdaptive', () => {
  it('sends every item once, in batches no larger than the window allows, results in input order', async () => {
    const batches: number[][] = [];
    const out = await sendAdaptive(items(100), backgroundContext(), {
      window: window(8, 16),
      send: async (batch) => {
        batches.push(batch);
        return batch.map((x) => x * 10);
      },
      isTimeout,
    });
    expect(out).toEqual(items(100).map((x) => x * 10));
    expect(batches.flat().sort((a, b) => a - b)).toEqual(items(100));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(16);
    // The window grew: later batches are larger than the first.
    expect(batches.at(-2)!.length).toBeGreaterThan(batches[0]!.length);
  });

  it('splits a timed-out batch and sends both halves again, so the call still succeeds', async () => {
    const sizes: number[] = [];
    const out = await sendAdaptive(items(8), backgroundContext(), {
      window: window(8, 8),
      send: async (batch) => {
        sizes.push(batch.length);
        if (batch.length > 2) throw new TimedOut('too slow for this many');
        return batch.map(String);
      },
      isTimeout,
    });
    expect(out).toEqual(items(8).map(String));
    expect(sizes.filter((n) => n > 2).length).toBeGreaterThan(0);
  });

  it('fails when a single item times out', async () => {
    const call = sendAdaptive(items(4), backgroundContext(), {
      window: window(1),
      send: async () => {
        throw new TimedOut('stuck');
      },
      isTimeout,
    });
    await expect(call).rejects.toBeInstanceOf(TimedOut);
  });

  it('aborts the batches still in flight when one fails, and rejects with that failure', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const call = sendAdaptive(items(8), backgroundContext(), {
      window: window(8, 2),
      send: async (_batch, ctx: CallContext) => {
        signals.push(ctx.signal);
        if (++calls === 4) throw new UnavailableError('embedder is unavailable (HTTP 503)');
        await aborted(ctx.signal);
        throw new CancelledError();
      },
      isTimeout,
    });
    await expect(call).rejects.toBeInstanceOf(UnavailableError);
    expect(signals).toHaveLength(4);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('aborts its requests when the caller cancels', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const call = sendAdaptive(
      items(6),
      { deadline: Number.POSITIVE_INFINITY, signal: controller.signal },
      {
        window: window(8, 2),
        send: async (_batch, ctx) => {
          signals.push(ctx.signal);
          if (signals.length === 3) controller.abort();
          await aborted(ctx.signal);
          throw new CancelledError();
        },
        isTimeout,
      },
    );
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });
});
