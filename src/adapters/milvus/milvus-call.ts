import { type CallContext, contextWithTimeout, deadlinePassed, remainingMs, throwIfDone } from '../../domain/context';
import { CancelledError, DeadlineExceededError, type RecallError, UnavailableError } from '../../domain/errors';
import { raceContext } from '../../domain/race-context';
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
  // The SDK's own timeout plus a little slack, or the caller's context, whichever ends first.
  const bound = contextWithTimeout(timeout + 100, ctx);
  try {
    return await raceContext(run(timeout), bound, { endError: () => interrupted(ctx, what, maxCallMs) });
  } catch (error) {
    throw mapMilvusError(error, what, ctx);
  }
}

/** Why a call was given up: the caller's deadline or cancellation, or Milvus too slow. */
function interrupted(ctx: CallContext, what: string, maxCallMs: number): RecallError {
  if (deadlinePassed(ctx)) return new DeadlineExceededError(`deadline exceeded during milvus ${what}`);
  if (ctx.signal.aborted) return new CancelledError(`milvus ${what} cancelled`);
  return new UnavailableError(`milvus did not answer ${what} within ${maxCallMs} ms`);
}
