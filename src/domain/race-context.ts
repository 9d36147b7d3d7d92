import { type CallContext, contextError } from './context';

/**
 * One 'abort' listener per signal, however many calls watch it: a context shared by many
 * parallel queries would otherwise trip Node's MaxListeners warning. The listener is removed
 * when its last watcher stops: Node 20 never frees an `AbortSignal.any` signal that still has
 * a listener (even after it aborted), which leaked ~3 KB per search.
 */
interface Watch {
  callbacks: Set<() => void>;
  listener: () => void;
}

const watchers = new WeakMap<AbortSignal, Watch>();

function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let watch = watchers.get(signal);
  if (!watch) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      watchers.delete(signal);
      for (const cb of [...callbacks]) cb();
      callbacks.clear();
    };
    watch = { callbacks, listener };
    watchers.set(signal, watch);
    signal.addEventListener('abort', listener, { once: true });
  }
  const owned = watch;
  owned.callbacks.add(callback);
  return () => {
    owned.callbacks.delete(callback);
    if (owned.callbacks.size > 0 || watchers.get(signal) !== owned) return;
    // Last watcher gone: only an AbortSignal.any without listeners is ever freed on Node 20.
    watchers.delete(signal);
    signal.removeEventListener('abort', owned.listener);
  };
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
  // A timer may fire a millisecond before the clock reaches the deadline; the context has then
  // not ended (its error would read as cancelled), so it waits out the rest.
  const onTimer = () => {
    const left = ctx.deadline - Date.now();
    if (left <= 0) return fire();
    timer = setTimeout(onTimer, left);
    timer.unref();
  };
  const remaining = ctx.deadline - Date.now();
  if (Number.isFinite(remaining)) {
    timer = setTimeout(onTimer, Math.max(0, remaining));
    timer.unref();
  }
  unsubscribe = onAbort(ctx.signal, fire);
  return stop;
}

/** What to do when the context wins the race. */
export interface RaceOptions<T> {
  /** The rejection when the context ends first; by default the caller's DeadlineExceeded / Cancelled. */
  endError?: () => Error;
  /** Receives the value if it arrives after the race was lost (e.g. to release a pooled connection). */
  abandon?: (value: T) => void;
}

/**
 * Settles like `promise`, or rejects as soon as the context ends (see RaceOptions). The one
 * helper every layer uses to bound work that may ignore the caller's signal; a late
 * rejection of `promise` is swallowed, never unhandled.
 */
export function raceContext<T>(promise: Promise<T>, ctx: CallContext, options: RaceOptions<T> = {}): Promise<T> {
  const endError = options.endError ?? (() => contextError(ctx));
  return new Promise<T>((resolve, reject) => {
    let lost = false;
    const stop = watchContext(ctx, () => {
      lost = true;
      reject(endError());
    });
    promise.then(
      (value) => {
        stop();
        if (lost) options.abandon?.(value);
        else resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}
