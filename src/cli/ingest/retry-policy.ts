import { status } from '@grpc/grpc-js';

/** How a failed batch is retried: which codes, how often, how long to wait. */
export interface RetryPolicy {
  /** Retries after the first attempt (so at most `retries + 1` calls per batch). */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  /** Longest single delay. */
  maxDelayMs: number;
}

/**
 * The default: 6 retries from 250 ms doubling to 8 s (about 8–16 s in all with jitter), enough
 * to ride out a restart or a collection breaker's 10 s open period.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * True for the codes worth retrying: the service unreachable or overloaded, or the call's
 * deadline passed. UpsertDocuments is idempotent, so a batch that may have been written is safe
 * to send again.
 */
export function isRetryable(code: number | undefined): boolean {
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED;
}

/** The wait before retry number `retry` (1-based): exponential, capped, half of it jittered. */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(full / 2 + (full / 2) * random());
}
