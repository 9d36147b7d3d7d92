import type { Breaker, BreakerFactory, BreakerStateName } from '../breaker';
import type { CollectionBreakerState } from './search-types';

/** Breaker tuning shared by every collection (see BreakerOptions). */
export interface BreakerSettings {
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  volumeThreshold: number;
  rollingCountTimeoutMs: number;
}

/** One circuit breaker per collection, created on first use and queryable afterwards. */
export interface CollectionBreakers {
  /** The collection's breaker (named `collection:<name>`), created if missing. */
  get(collection: string): Breaker;
  /** The breaker's state; 'closed' for a collection never called. */
  state(collection: string): BreakerStateName;
  /** Every breaker created so far, by collection name. */
  states(): CollectionBreakerState[];
  /** Stops every breaker's timers. */
  shutdown(): void;
}

/**
 * Creates the registry. Breakers get no timeout of their own: the fan-out applies the
 * per-collection timeout inside the breaker, so a timeout counts as a failure while the
 * caller's deadline does not.
 */
export function createCollectionBreakers(factory: BreakerFactory, settings: BreakerSettings): CollectionBreakers {
  const breakers = new Map<string, Breaker>();

  const get = (collection: string): Breaker => {
    let breaker = breakers.get(collection);
    if (!breaker) {
      breaker = factory({ name: `collection:${collection}`, timeoutMs: false, ...settings });
      breakers.set(collection, breaker);
    }
    return breaker;
  };

  return {
    get,
    state: (collection) => breakers.get(collection)?.state() ?? 'closed',
    states: () =>
      [...breakers.entries()]
        .map(([collection, breaker]) => ({ collection, breaker: breaker.name, state: breaker.state() }))
        .sort((a, b) => a.collection.localeCompare(b.collection)),
    shutdown: () => {
      for (const breaker of breakers.values()) breaker.shutdown();
    },
  };
}
