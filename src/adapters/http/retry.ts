import { setTimeout as delay } from 'node:timers/promises';
import type { CallContext } from '../../domain/context';
import { raceContext } from '../../domain/race-context';
import { HttpStatusError, isRetryable } from './http-errors';

/** How often and how patiently to retry a failed request. */
export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  maxRetries: number;
  /** First backoff; doubles per retry, with jitter. */
  baseDelayMs: number;
  /** Cap on the exponential backoff. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the failure is returned at once. */
  maxRetryAfterMs: number;
}

/** Defaults for a request off the hot path (embedding a batch). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 10_000,
};

/**
 * Runs `attempt` until it succeeds, fails with an error `retryable` refuses (by default
 * {@link isRetryable}), runs out of retries, or the next wait would end past the caller's
 * deadline; the last failure is then rethrown. Waits honour Retry-After, else exponential
 * backoff with jitter, and stop early (with DeadlineExceededError / CancelledError) when the
 * caller's signal fires.
 */
export async function withRetry<T>(
  attempt: (attemptIndex: number) => Promise<T>,
  policy: RetryPolicy,
  ctx: CallContext,
  retryable: (error: unknown) => boolean = isRetryable,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.maxRetries || !retryable(error)) throw error;
      const wait = retryDelayMs(n, policy, error instanceof HttpStatusError ? error.retryAfterMs : undefined);
      if (wait === undefined || Date.now() + wait >= ctx.deadline) throw error;
      await raceContext(delay(wait, undefined, { ref: false }), ctx);
    }
  }
}

/** The wait before retry `n + 1`, or undefined when the service asked for longer than we accept. */
export function retryDelayMs(n: number, policy: RetryPolicy, retryAfterMs?: number): number | undefined {
  if (retryAfterMs !== undefined) {
    // Spread the herd a little, but never retry sooner than asked.
    return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs + Math.random() * policy.baseDelayMs;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
