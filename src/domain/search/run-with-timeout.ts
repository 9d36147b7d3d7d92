import { type CallContext, contextWithTimeout, deadlinePassed, throwIfDone } from '../context';
import { CancelledError, DeadlineExceededError, UnavailableError } from '../errors';
import { raceContext } from '../race-context';

/**
 * Runs `work` with a child context ending after `timeoutMs` (Infinity: none) or at the
 * caller's deadline, whichever comes first, and settles as soon as that context ends even if
 * `work` ignores its signal. Ending on our own timeout rejects with UnavailableError (an
 * outage: it counts against a breaker); ending on the caller's deadline or cancellation
 * rejects with DeadlineExceededError / CancelledError (caller errors: they do not).
 */
export async function runWithTimeout<T>(
  work: (ctx: CallContext) => Promise<T>,
  ctx: CallContext,
  timeoutMs: number,
  what: string,
): Promise<T> {
  throwIfDone(ctx);
  if (!Number.isFinite(timeoutMs) && !Number.isFinite(ctx.deadline)) return work(ctx);

  const callerBinding = ctx.deadline <= Date.now() + timeoutMs;
  const child = contextWithTimeout(timeoutMs, ctx);
  const endError = () => {
    if (callerBinding || deadlinePassed(ctx)) return new DeadlineExceededError();
    if (ctx.signal.aborted) return new CancelledError();
    return new UnavailableError(`${what} timed out after ${timeoutMs} ms`);
  };
  return raceContext(work(child), child, { endError });
}
