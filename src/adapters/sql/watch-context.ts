import type { CallContext } from '../../domain/context';

/**
 * One 'abort' listener per signal, however many calls watch it: a context shared by many
 * parallel queries would otherwise trip Node's MaxListeners warning.
 */
const watchers = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let callbacks = watchers.get(signal);
  if (!callbacks) {
    const set = new Set<() => void>();
    callbacks = set;
    watchers.set(signal, set);
    signal.addEventListener('abort', () => {
      for (const cb of [...set]) cb();
      set.clear();
    });
  }
  callbacks.add(callback);
  const owned = callbacks;
  return () => owned.delete(callback);
}

/**
 * Calls `onEnd` once when the caller's context ends (deadline passes or signal fires) and
 * returns a function that stops watching. Costs a timer and a set entry, no I/O.
 */
export function watchContext(ctx: CallContext, onEnd: () => void): () => void {
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  const stop = () => {
    done = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
  const fire = () => {
    if (done) return;
    stop();
    onEnd();
  };
  if (ctx.signal.aborted) {
    fire();
    return stop;
  }
  const remaining = ctx.deadline - Date.now();
  if (Number.isFinite(remaining)) {
    timer = setTimeout(fire, Math.max(0, remaining));
    timer.unref();
  }
  unsubscribe = onAbort(ctx.signal, fire);
  return stop;
}

/**
 * Settles like `promise`, or rejects with `endError()` as soon as the context ends.
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
