import { CancelledError, DeadlineExceededError } from './errors';

/**
 * What the domain knows of the call it serves: when the caller gives up (`deadline`, epoch
 * ms, or Infinity) and a signal that fires when the caller cancels or the deadline passes.
 */
export interface CallContext {
  readonly deadline: number;
  readonly signal: AbortSignal;
}

/** A context with no deadline and a signal that never fires (CLI tools, start-up). */
export function backgroundContext(): CallContext {
  return { deadline: Number.POSITIVE_INFINITY, signal: new AbortController().signal };
}

/** A context that expires `ms` from now. The timer does not keep the process alive. */
export function contextWithTimeout(ms: number, parent?: CallContext): CallContext {
  const deadline = Math.min(Date.now() + ms, parent?.deadline ?? Number.POSITIVE_INFINITY);
  const signals = [AbortSignal.timeout(Math.max(0, deadline - Date.now()))];
  if (parent) signals.push(parent.signal);
  return { deadline, signal: AbortSignal.any(signals) };
}

/** Milliseconds left before the deadline (Infinity when there is none; never negative). */
export function remainingMs(ctx: CallContext): number {
  return Math.max(0, ctx.deadline - Date.now());
}

/** The error for a context that ended: past its deadline first, else cancelled. */
export function contextError(ctx: CallContext, cause?: unknown): DeadlineExceededError | CancelledError {
  const options = cause === undefined ? undefined : { cause };
  return deadlinePassed(ctx) ? new DeadlineExceededError(undefined, options) : new CancelledError(undefined, options);
}

/**
 * True once the deadline has passed — also when the signal's own timer fired a millisecond
 * before the clock reached the deadline (it aborts with a TimeoutError reason).
 */
export function deadlinePassed(ctx: CallContext): boolean {
  if (Date.now() >= ctx.deadline) return true;
  return ctx.signal.aborted && (ctx.signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
}

/** Throws the matching domain error when the call is already over. */
export function throwIfDone(ctx: CallContext): void {
  if (deadlinePassed(ctx)) throw new DeadlineExceededError();
  if (ctx.signal.aborted) throw new CancelledError();
}
