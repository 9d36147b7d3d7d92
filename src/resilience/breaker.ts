import CircuitBreaker from 'opossum';
import type { Breaker, BreakerOptions, BreakerStateName } from '../domain/breaker';
import { UnavailableError, isCallerError } from '../domain/errors';
import type { Metrics } from '../observability/metrics';

const STATES: BreakerStateName[] = ['closed', 'open', 'half_open'];
const EVENTS = ['success', 'failure', 'timeout', 'reject', 'open', 'halfOpen', 'close'] as const;

/** Creates an opossum-backed breaker (the domain's Breaker port) whose state and events are exported to `metrics`. */
export function createBreaker(options: BreakerOptions, metrics?: Metrics): Breaker {
  const cb = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    name: options.name,
    timeout: options.timeoutMs ?? false,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    resetTimeout: options.resetTimeoutMs ?? 10_000,
    volumeThreshold: options.volumeThreshold ?? 5,
    rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
    errorFilter: (error: unknown) => isCallerError(error),
  });

  const state = (): BreakerStateName => (cb.opened ? 'open' : cb.halfOpen ? 'half_open' : 'closed');
  const publishState = () => {
    const current = state();
    for (const s of STATES) metrics?.breakerState.set({ breaker: options.name, state: s }, s === current ? 1 : 0);
  };
  publishState();
  const emitter = cb as unknown as NodeJS.EventEmitter;
  for (const event of EVENTS) {
    metrics?.breakerEvents.inc({ breaker: options.name, event }, 0);
    emitter.on(event, () => {
      metrics?.breakerEvents.inc({ breaker: options.name, event });
      if (event === 'open' || event === 'halfOpen' || event === 'close') publishState();
    });
  }

  return {
    name: options.name,
    async run<T>(work: () => Promise<T>): Promise<T> {
      // Open: fail fast without opossum's own error (its stack would be formatted into the
      // log line of every rejected call) and its promise chain; half-open is opossum's to decide.
      if (cb.opened) {
        metrics?.breakerEvents.inc({ breaker: options.name, event: 'reject' });
        throw new UnavailableError(`${options.name} is unavailable (circuit breaker open)`);
      }
      try {
        return (await cb.fire(work)) as T;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'EOPENBREAKER') {
          throw new UnavailableError(`${options.name} is unavailable (circuit breaker open)`, { cause: error });
        }
        if (code === 'ETIMEDOUT') {
          throw new UnavailableError(`${options.name} timed out`, { cause: error });
        }
        throw error;
      }
    },
    state,
    shutdown: () => cb.shutdown(),
    dispose() {
      cb.shutdown();
      for (const event of EVENTS) emitter.removeAllListeners(event);
      for (const s of STATES) metrics?.breakerState.remove({ breaker: options.name, state: s });
      for (const event of EVENTS) metrics?.breakerEvents.remove({ breaker: options.name, event });
    },
  };
}
