import type { CallContext } from '../context';
import { RecallError, UnavailableError, defined, isCallerError } from '../errors';
import type { LexicalQuery, VectorHit, VectorQuery, VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import type { RankedList } from './fusion';
import { LEXICAL_UNAVAILABLE, searchLexicalOne } from './lexical-task';
import { runWithTimeout } from './run-with-timeout';
import { type SearchMetrics, msSince, now } from './search-observability';
import type { FailedCollection, Retriever } from './search-types';

/** How the collections are searched: all at once, or one after another (benchmark baseline). */
export type FanOutStrategy = 'parallel' | 'sequential';

/** What the fan-out found: the lists that answered and the collections that failed. */
export interface FanOutResult {
  /** One list per collection and retriever that answered. */
  answered: RankedList[];
  /** One entry per collection with a failed retriever (see FailedCollection.retriever). */
  failed: FailedCollection[];
  /** The errors of `failed`, same order. */
  errors: unknown[];
  /** Collections asked for lexical hits that have no lexical side. */
  lexicalUnavailable: string[];
}

export interface FanOutParams {
  collections: string[];
  /** The dense query, or undefined when the dense retriever does not run. */
  query: VectorQuery | undefined;
  /** The lexical query, or undefined when the lexical retriever does not run. */
  lexical?: LexicalQuery;
  strategy: FanOutStrategy;
  store: VectorStore;
  breakers: CollectionBreakers;
  perCollectionTimeoutMs: number;
  metrics?: SearchMetrics;
}

/**
 * Searches every collection with every retriever that runs (dense and lexical as separate
 * calls), each call through the collection's breaker and timeout and within the caller's
 * deadline. Never rejects: a failed call is reported in `failed` — with its retriever when the
 * collection's other retriever answered, so its hits stay — and a collection without a
 * lexical side in `lexicalUnavailable`.
 */
export async function fanOut(params: FanOutParams, ctx: CallContext): Promise<FanOutResult> {
  const { collections, strategy, metrics, query, lexical } = params;
  const tasks = collections.flatMap((collection) => {
    const wanted: Array<{
      collection: string;
      retriever: Retriever;
      run: () => Promise<VectorHit[] | typeof LEXICAL_UNAVAILABLE>;
    }> = [];
    if (query) wanted.push({ collection, retriever: 'dense', run: () => searchOne(collection, query, params, ctx) });
    if (lexical) {
      wanted.push({ collection, retriever: 'lexical', run: () => searchLexicalOne(collection, lexical, params, ctx) });
    }
    return wanted;
  });
  const run = (task: (typeof tasks)[number]) => task.run();
  const settled: PromiseSettledResult<VectorHit[] | typeof LEXICAL_UNAVAILABLE>[] = [];
  if (strategy === 'parallel') {
    if (collections.length > 1) metrics?.parallelSearches.inc();
    settled.push(...(await Promise.allSettled(tasks.map(run))));
  } else {
    for (const task of tasks) settled.push(await settle(run(task)));
  }

  const result: FanOutResult = { answered: [], failed: [], errors: [], lexicalUnavailable: [] };
  const failures = new Map<string, Array<{ retriever: Retriever; reason: unknown }>>();
  settled.forEach((outcome, i) => {
    const { collection, retriever } = defined(tasks[i], 'a task per outcome');
    if (outcome.status === 'rejected') {
      failures.set(collection, [...(failures.get(collection) ?? []), { retriever, reason: outcome.reason }]);
    } else if (outcome.value === LEXICAL_UNAVAILABLE) {
      result.lexicalUnavailable.push(collection);
    } else {
      result.answered.push({ collection, retriever, hits: outcome.value });
    }
  });
  for (const [name, failedCalls] of failures) {
    const [first] = failedCalls;
    if (!first) continue;
    const otherAnswered = result.answered.some((list) => list.collection === name);
    result.failed.push({
      name,
      reason: failureReason(first.reason),
      ...(otherAnswered ? { retriever: first.retriever } : {}),
    });
    result.errors.push(first.reason);
  }
  return result;
}

async function searchOne(
  collection: string,
  query: VectorQuery,
  params: FanOutParams,
  ctx: CallContext,
): Promise<VectorHit[]> {
  const start = now();
  try {
    return await params.breakers.run(collection, () =>
      runWithTimeout(
        (child) => params.store.search(collection, query, child),
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
