import { type CallContext, remainingMs, throwIfDone } from '../../domain/context';
import { CancelledError, DeadlineExceededError, type RecallError, UnavailableError } from '../../domain/errors';
import { mapMilvusError } from './milvus-errors';

/**
 * Runs one SDK call with a timeout (ms, handed to `run` for the SDK's `timeout`) taken from
 * the caller's remaining deadline and capped at `maxCallMs` — never the SDK's 24 h default.
 * The SDK's retries restart its deadline, and some calls (the describe inside search) use
 * the client-wide timeout, so a timer of ours bounds the whole call too, and cancellation
 * ends the wait at once. Failures come out as domain errors (see mapMilvusError).
 */
export async function callMilvus<T>(
  ctx: CallContext,
  what: string,
  maxCallMs: number,
  run: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  throwIfDone(ctx);
  const timeout = Math.max(1, Math.min(remainingMs(ctx), maxCallMs));
  const work = run(timeout);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<never>((_, reject) => {
    const fail = () => reject(interrupted(ctx, what, maxCallMs));
    timer = setTimeout(fail, timeout + 100);
    onAbort = fail;
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  // Whichever side loses the race must not become an unhandled rejection.
  work.catch(() => undefined);
  guard.catch(() => undefined);
  try {
    return await Promise.race([work, guard]);
  } catch (error) {
    throw mapMilvusError(error, what, ctx);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** Why a call was given up: the caller's deadline or cancellation, or Milvus too slow. */
function interrupted(ctx: CallContext, what: string, maxCallMs: number): RecallError {
  if (Date.now() >= ctx.deadline) return new DeadlineExceededError(`deadline exceeded during milvus ${what}`);
  if (ctx.signal.aborted) return new CancelledError(`milvus ${what} cancelled`);
  return new UnavailableError(`milvus did not answer ${what} within ${maxCallMs} ms`);
}
