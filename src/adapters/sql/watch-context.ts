import type { CallContext } from '../../domain/context';

/**
 * Calls `onEnd` once when the caller's context ends (deadline passes or signal fires) and
 * returns a function that stops watching. Costs a timer and a listener, no I/O.
 */
export function watchContext(ctx: CallContext, onEnd: () => void): () => void {
  let done = false;
  const fire = () => {
    if (done) return;
    done = true;
    stop();
    onEnd();
  };
  const remaining = ctx.deadline - Date.now();
  const timer = Number.isFinite(remaining) ? setTimeout(fire, Math.max(0, remaining)) : undefined;
  timer?.unref();
  ctx.signal.addEventListener('abort', fire, { once: true });
  if (ctx.signal.aborted) fire();
  function stop() {
    done = true;
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', fire);
  }
  return stop;
}

/**
 * Settles like `promise`, or rejects with `onEnd()`'s error as soon as the context ends.
 * `abandon` receives the value if it arrives after the race was lost (e.g. to release a
 * pooled connection nobody will use).
 */
export function raceContext<T>(
  promise: Promise<T>,
  ctx: CallContext,
  endError: () => Error,
  abandon: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let lost = false;
    const stop = watchContext(ctx, () => {
      lost = true;
      reject(endError());
    });
    promise.then(
      (value) => {
        stop();
        if (lost) abandon(value);
        else resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}
