import type { CallContext } from '../context';
import { RecallError, UnavailableError, isCallerError } from '../errors';
import type { VectorHit, VectorQuery, VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import { runWithTimeout } from './run-with-timeout';
import { type SearchMetrics, msSince, now } from './search-observability';
import type { FailedCollection } from './search-types';

/** How the collections are searched: all at once, or one after another (benchmark baseline). */
export type FanOutMode = 'parallel' | 'sequential';

/** The hits of one collection. */
export interface CollectionHits {
  collection: string;
  hits: VectorHit[];
}

/** What the fan-out found: the collections that answered and those that did not. */
export interface FanOutResult {
  answered: CollectionHits[];
  failed: FailedCollection[];
  /** The errors of `failed`, same order. */
  errors: unknown[];
}

export interface FanOutParams {
  collections: string[];
  query: VectorQuery;
  mode: FanOutMode;
  store: VectorStore;
  breakers: CollectionBreakers;
  perCollectionTimeoutMs: number;
  metrics?: SearchMetrics;
}

/**
 * Searches every collection, each through its own breaker and timeout and within the caller's
 * deadline. Never rejects: a collection that fails is reported in `failed`.
 */
export async function fanOut(params: FanOutParams, ctx: CallContext): Promise<FanOutResult> {
  const { collections, mode, metrics } = params;
  const settled: PromiseSettledResult<VectorHit[]>[] = [];
  if (mode === 'parallel') {
    if (collections.length > 1) metrics?.parallelSearches.inc();
    settled.push(...(await Promise.allSettled(collections.map((name) => searchOne(name, params, ctx)))));
  } else {
    for (const name of collections) settled.push(await settle(searchOne(name, params, ctx)));
  }

  const result: FanOutResult = { answered: [], failed: [], errors: [] };
  settled.forEach((outcome, i) => {
    const collection = collections[i]!;
    if (outcome.status === 'fulfilled') {
      result.answered.push({ collection, hits: outcome.value });
    } else {
      result.failed.push({ name: collection, reason: failureReason(outcome.reason) });
      result.errors.push(outcome.reason);
    }
  });
  return result;
}

async function searchOne(collection: string, params: FanOutParams, ctx: CallContext): Promise<VectorHit[]> {
  const start = now();
  try {
    return await params.breakers.run(collection, () =>
      runWithTimeout(
        (child) => params.store.search(collection, params.query, child),
        ctx,
        params.perCollectionTimeoutMs,
        `collection ${collection}`,
      ),
    );
  } finally {
    // Only collections that exist get a series: callers choose the names (see CollectionBreakers).
    if (params.breakers.has(collection)) {
      params.metrics?.vectorSearchDuration.observe({ collection }, msSince(start) / 1000);
    }
  }
}

async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await promise };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/** A reason safe to show the caller: domain errors carry safe messages, anything else does not. */
export function failureReason(error: unknown): string {
  return error instanceof RecallError ? error.message : 'internal error';
}

/**
 * The error of a search in which every collection failed. When every failure is the caller's
 * (unknown collection, dimension mismatch, deadline), that error is thrown as is — a deadline
 * or cancellation first — so the caller sees NOT_FOUND / FAILED_PRECONDITION / DEADLINE_EXCEEDED;
 * otherwise the search is UNAVAILABLE, naming every collection and why.
 */
export function allFailedError(result: FanOutResult): Error {
  const { errors, failed } = result;
  if (errors.every(isCallerError)) {
    const ended = errors.find(
      (e) => e instanceof RecallError && (e.code === 'deadline_exceeded' || e.code === 'cancelled'),
    );
    return (ended ?? errors[0]) as Error;
  }
  const summary = failed.map((f) => `${f.name} (${f.reason})`).join(', ');
  return new UnavailableError(`no collection could be searched: ${summary}`, {
    cause: errors.find((e) => !isCallerError(e)),
  });
}
