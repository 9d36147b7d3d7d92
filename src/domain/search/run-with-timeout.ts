import { type CallContext, contextWithTimeout, throwIfDone } from '../context';
import { CancelledError, DeadlineExceededError, UnavailableError } from '../errors';

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
  let onAbort: (() => void) | undefined;
  const ended = new Promise<never>((_, reject) => {
    onAbort = () => {
      if (callerBinding || Date.now() >= ctx.deadline) reject(new DeadlineExceededError());
      else if (ctx.signal.aborted) reject(new CancelledError());
      else reject(new UnavailableError(`${what} timed out after ${timeoutMs} ms`));
    };
    if (child.signal.aborted) onAbort();
    else child.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(child), ended]);
  } finally {
    if (onAbort) child.signal.removeEventListener('abort', onAbort);
  }
}
