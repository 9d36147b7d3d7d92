/**
 * The circuit-breaker port: the domain decides what runs behind a breaker and reads its
 * state; the implementation (src/resilience) is injected by the composition root.
 */

/** How a breaker is tuned. */
export interface BreakerOptions {
  /** Name in metrics and messages, e.g. `postgres` or `collection:docs`. */
  name: string;
  /** Per-call timeout in ms; false for none (the caller's deadline still applies). */
  timeoutMs?: number | false;
  /** Failure percentage over the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before letting a trial call through. */
  resetTimeoutMs?: number;
  /** Calls in the window before the breaker may open. */
  volumeThreshold?: number;
  /** Length of the rolling window in ms. */
  rollingCountTimeoutMs?: number;
}

/** A breaker's state as metrics, readiness and ListCollections show it. */
export type BreakerStateName = 'closed' | 'open' | 'half_open';

/**
 * A circuit breaker around arbitrary async work. Only outages count as failures: errors
 * from the caller's input (see isCallerError) pass through without moving the breaker.
 */
export interface Breaker {
  readonly name: string;
  /** Runs `work` through the breaker; rejects with UnavailableError while open. */
  run<T>(work: () => Promise<T>): Promise<T>;
  state(): BreakerStateName;
  shutdown(): void;
  /** Shuts down and forgets everything kept about this breaker (its metric series). */
  dispose(): void;
}

/** Builds one breaker; the composition root binds the implementation to its metrics. */
export type BreakerFactory = (options: BreakerOptions) => Breaker;
