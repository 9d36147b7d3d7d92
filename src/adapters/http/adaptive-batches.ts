import type { CallContext } from '../../domain/context';
import { watchContext } from '../../domain/race-context';
import type { AdaptiveWindow, WindowLease } from './adaptive-window';

/** What `sendAdaptive` needs besides the items. */
export interface AdaptiveSend<T, R> {
  window: AdaptiveWindow;
  /** Sends one batch under `ctx` (this call's context, cancelled when a sibling batch fails). */
  send: (batch: T[], ctx: CallContext) => Promise<R[]>;
  /** True for the failure of a request that ran out of time (the service was too slow for it). */
  isTimeout: (error: unknown) => boolean;
}

/**
 * `send` over `items` in consecutive batches of the window's current size, as many in flight
 * as the window allows; results in input order. A batch of several items that times out is
 * split in two and both halves are sent again (the window has shrunk meanwhile), so one slow
 * request does not fail the call while the caller's deadline has room; a single item that
 * times out fails like any other error. On the first failure the batches still in flight are
 * aborted (their connections closed, so the service can drop the work) and, once they have
 * settled, the promise rejects with that failure.
 */
export async function sendAdaptive<T, R>(items: readonly T[], ctx: CallContext, how: AdaptiveSend<T, R>): Promise<R[]> {
  const { window, send, isTimeout } = how;
  const results = new Array<R>(items.length);
  const pending: Array<[start: number, end: number]> = [[0, items.length]];
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const local = new AbortController();
  const stopWatching = watchContext(ctx, () => local.abort(ctx.signal.reason ?? timeoutReason()));
  const callCtx: CallContext = { deadline: ctx.deadline, signal: local.signal };
  const fail = (error: unknown) => {
    if (failure) return;
    failure = { error };
    local.abort(new DOMException('another batch of the call failed', 'AbortError'));
  };

  const run = async (start: number, end: number, lease: WindowLease) => {
    try {
      const out = await send(items.slice(start, end), callCtx);
      lease.release('answered');
      out.forEach((result, i) => {
        results[start + i] = result;
      });
    } catch (error) {
      const timedOut = !failure && isTimeout(error);
      lease.release(timedOut ? 'timed-out' : 'failed');
      if (timedOut && end - start > 1) {
        const middle = start + Math.ceil((end - start) / 2);
        pending.unshift([start, middle], [middle, end]);
      } else fail(error);
    }
  };

  try {
    while (!failure && (pending.length > 0 || running.size > 0)) {
      const next = pending.shift();
      if (!next) {
        await Promise.race(running);
        continue;
      }
      const [start, end] = next;
      const size = Math.min(window.batchSize(), end - start);
      if (start + size < end) pending.unshift([start + size, end]);
      let lease: WindowLease;
      try {
        lease = await window.acquire(size, callCtx);
      } catch (error) {
        fail(error);
        break;
      }
      const task: Promise<void> = run(start, start + size, lease).finally(() => running.delete(task));
      running.add(task);
    }
    await Promise.all(running);
  } finally {
    stopWatching();
  }
  if (failure) throw failure.error;
  return results;
}

/** The abort reason `deadlinePassed` recognises, for a deadline noticed by our own timer. */
function timeoutReason(): DOMException {
  return new DOMException('the deadline passed', 'TimeoutError');
}
