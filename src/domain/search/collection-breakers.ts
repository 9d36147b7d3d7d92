import type { Breaker, BreakerFactory, BreakerStateName } from '../breaker';
import { NotFoundError } from '../errors';
import { isInternalCollection } from '../internal-collections';
import type { CollectionBreakerState } from './search-types';

/** Breaker tuning shared by every collection (see BreakerOptions). */
export interface BreakerSettings {
  errorThresholdPercentage: number;
  resetTimeoutMs: number;
  volumeThreshold: number;
  rollingCountTimeoutMs: number;
  /** Most collections with a breaker at once; past it the least recently used idle one goes. */
  maxCollections: number;
}

/**
 * One circuit breaker per collection that exists. Callers choose collection names, so state
 * is bounded by construction: a name gets a breaker only once the store has shown it is not
 * unknown (see `run`), and at most `maxCollections` breakers live at once.
 */
export interface CollectionBreakers {
  /**
   * Runs store work for `collection` through its breaker. A collection without one runs
   * unguarded and gets a breaker only when the store answered anything but NotFoundError
   * (an outage is then counted against the new breaker); a NotFoundError through a closed
   * breaker (the collection was dropped) forgets it.
   */
  run<T>(collection: string, work: () => Promise<T>): Promise<T>;
  /** The breaker of a collection recall itself owns (internal names), created if missing. */
  get(collection: string): Breaker;
  /** Whether `collection` has a breaker (it is known to exist). */
  has(collection: string): boolean;
  /** The breaker's state; 'closed' for a collection without one. */
  state(collection: string): BreakerStateName;
  /** Every breaker alive, by collection name. */
  states(): CollectionBreakerState[];
  /** Stops every breaker's timers. */
  shutdown(): void;
}

/** Called when a collection's breaker is dropped, so per-collection metric series go too. */
export type ForgetCollection = (collection: string) => void;

/**
 * Creates the registry. Breakers get no timeout of their own: the fan-out applies the
 * per-collection timeout inside the breaker, so a timeout counts as a failure while the
 * caller's deadline does not.
 */
export function createCollectionBreakers(
  factory: BreakerFactory,
  settings: BreakerSettings,
  onForget: ForgetCollection = () => undefined,
): CollectionBreakers {
  const { maxCollections, ...tuning } = settings;
  // Insertion order is recency order: every use moves a breaker to the end.
  const breakers = new Map<string, Breaker>();

  const touch = (collection: string): Breaker | undefined => {
    const breaker = breakers.get(collection);
    if (breaker) {
      breakers.delete(collection);
      breakers.set(collection, breaker);
    }
    return breaker;
  };

  const forget = (collection: string): void => {
    const breaker = breakers.get(collection);
    if (!breaker) return;
    breakers.delete(collection);
    breaker.dispose();
    onForget(collection);
  };

  const get = (collection: string): Breaker => {
    let breaker = touch(collection);
    if (!breaker) {
      breaker = factory({ name: `collection:${collection}`, timeoutMs: false, ...tuning });
      breakers.set(collection, breaker);
      evictIfFull(breakers, maxCollections, collection, forget);
    }
    return breaker;
  };

  return {
    async run<T>(collection: string, work: () => Promise<T>): Promise<T> {
      const breaker = touch(collection);
      if (breaker) {
        try {
          return await breaker.run(work);
        } catch (error) {
          if (error instanceof NotFoundError && breaker.state() === 'closed') forget(collection);
          throw error;
        }
      }
      return runUnguarded(work, () => get(collection));
    },
    get,
    has: (collection) => breakers.has(collection),
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

/** Forgets breakers past `maxCollections`, idle ones first; never `keep` or an internal collection's. */
function evictIfFull(
  breakers: Map<string, Breaker>,
  maxCollections: number,
  keep: string,
  forget: (collection: string) => void,
): void {
  while (breakers.size > maxCollections) {
    const evictable = [...breakers.entries()].filter(([name]) => name !== keep && !isInternalCollection(name));
    // Idle (closed) breakers first: an open one still protects a failing collection.
    const victim = evictable.find(([, b]) => b.state() === 'closed') ?? evictable[0];
    if (!victim) return;
    forget(victim[0]);
  }
}

/**
 * Runs work for a collection that has no breaker yet; `adopt` gives it one once the store has
 * answered anything but NotFoundError.
 */
async function runUnguarded<T>(work: () => Promise<T>, adopt: () => Breaker): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (!(error instanceof NotFoundError)) {
      // The collection may exist and its store be failing: that failure must count.
      await adopt()
        .run(() => Promise.reject(error))
        .catch(() => undefined);
    }
    throw error;
  }
  adopt();
  return result;
}
