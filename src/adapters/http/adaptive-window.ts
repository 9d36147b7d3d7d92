import { type CallContext, contextError } from '../../domain/context';
import { watchContext } from '../../domain/race-context';

/** How an adaptive window is bounded and what it aims for. */
export interface AdaptiveWindowOptions {
  /** Largest batch (items per request). */
  maxBatch: number;
  /** Most requests in flight. */
  maxConcurrent: number;
  /** The per-request latency to stay under: an answer slower than this shrinks the window. */
  targetLatencyMs: number;
  /** Items allowed in flight at first (default min(8, maxBatch × maxConcurrent)). */
  initial?: number;
  now?: () => number;
}

/** How a request ended, as the window learns from it. */
export type RequestOutcome = 'answered' | 'timed-out' | 'failed';

/** A reservation of window room for one request; release it exactly once. */
export interface WindowLease {
  /** Items the request carries. */
  readonly size: number;
  release(outcome: RequestOutcome): void;
}

/** Items in flight to one model service, sized by additive increase / multiplicative decrease. */
export interface AdaptiveWindow {
  /** Items per request now: the window shared by up to maxConcurrent requests, within [1, maxBatch]. */
  batchSize(): number;
  /** Items allowed in flight now (for metrics and tests). */
  limit(): number;
  /**
   * Resolves with a lease once `size` more items fit in the window and fewer than
   * maxConcurrent requests run — or at once when nothing is in flight, so a request larger
   * than the window still goes alone. Waiters are served in arrival order. Rejects with
   * DeadlineExceededError / CancelledError when the caller's context ends first.
   */
  acquire(size: number, ctx: CallContext): Promise<WindowLease>;
}

interface Waiter {
  size: number;
  grant: () => void;
}

/**
 * Creates a window in the manner of TCP congestion control, with latency as the congestion
 * signal: it doubles per round while answers come back within the target (slow start), then
 * grows by about one batch per round; an answer slower than the target halves it (down to
 * one item per allowed request), a timed-out request halves it down to one item — once per
 * round, since requests sent before a decrease report the old window's latency. By Little's law it settles near target × the service's throughput, so
 * the service is kept busy without building a queue that outlasts the per-request timeout.
 */
export function createAdaptiveWindow(options: AdaptiveWindowOptions): AdaptiveWindow {
  const { maxBatch, maxConcurrent, targetLatencyMs } = options;
  const now = options.now ?? Date.now;
  const ceiling = maxBatch * maxConcurrent;
  let limit = Math.min(options.initial ?? 8, ceiling);
  let slowStart = true;
  let lastDecreaseAt = Number.NEGATIVE_INFINITY;
  let items = 0;
  let requests = 0;
  const waiters: Waiter[] = [];

  const fits = (size: number) => requests === 0 || (requests < maxConcurrent && items + size <= limit);
  const pump = () => {
    for (let head = waiters[0]; head && fits(head.size); head = waiters[0]) {
      waiters.shift();
      head.grant();
    }
  };
  /** Halves the window, down to `floor` (or where it already is, if lower). */
  const decrease = (startedAt: number, floor: number) => {
    if (startedAt <= lastDecreaseAt) return;
    limit = Math.max(1, limit / 2, Math.min(limit, floor));
    slowStart = false;
    lastDecreaseAt = now();
  };
  const increase = (size: number) => {
    limit = Math.min(ceiling, slowStart ? limit + size : limit + (size * size) / limit);
  };

  const lease = (size: number): WindowLease => {
    items += size;
    requests += 1;
    const startedAt = now();
    let released = false;
    return {
      size,
      release(outcome) {
        if (released) return;
        released = true;
        items -= size;
        requests -= 1;
        // A slow answer leaves one item per allowed request, so a service whose single item is
        // slower than the target is still kept busy; only a timeout goes lower.
        if (outcome === 'timed-out') decrease(startedAt, 1);
        else if (outcome === 'answered') {
          if (now() - startedAt > targetLatencyMs) decrease(startedAt, maxConcurrent);
          else increase(size);
        }
        pump();
      },
    };
  };

  return {
    batchSize: () => Math.max(1, Math.min(maxBatch, Math.ceil(limit / maxConcurrent))),
    limit: () => limit,
    acquire(size, ctx) {
      if (waiters.length === 0 && fits(size)) return Promise.resolve(lease(size));
      return new Promise<WindowLease>((resolve, reject) => {
        const waiter: Waiter = {
          size,
          grant: () => {
            stop();
            resolve(lease(size));
          },
        };
        const stop = watchContext(ctx, () => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(contextError(ctx));
          pump();
        });
        if (ctx.signal.aborted) return;
        waiters.push(waiter);
      });
    },
  };
}
