import type { CallContext } from '../context';
import type { LexicalQuery, VectorHit, VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import { runWithTimeout } from './run-with-timeout';
import { type SearchMetrics, msSince, now } from './search-observability';

/** What a lexical search resolves to when the collection has no lexical side. */
export const LEXICAL_UNAVAILABLE = Symbol('lexical unavailable');

/** What one collection's lexical search needs from the fan-out. */
export interface LexicalTaskParams {
  store: VectorStore;
  breakers: CollectionBreakers;
  perCollectionTimeoutMs: number;
  metrics?: SearchMetrics;
}

/**
 * One collection's BM25 search, through the collection's breaker and timeout like its dense
 * search (an outage of either side counts against the same collection). A store without
 * lexical search is not called at all; a collection without a lexical side is no failure.
 */
export async function searchLexicalOne(
  collection: string,
  query: LexicalQuery,
  params: LexicalTaskParams,
  ctx: CallContext,
): Promise<VectorHit[] | typeof LEXICAL_UNAVAILABLE> {
  const searchLexical = params.store.searchLexical?.bind(params.store);
  if (!searchLexical) return LEXICAL_UNAVAILABLE;
  const start = now();
  try {
    const hits = await params.breakers.run(collection, () =>
      runWithTimeout(
        (child) => searchLexical(collection, query, child),
        ctx,
        params.perCollectionTimeoutMs,
        `lexical search of collection ${collection}`,
      ),
    );
    return hits ?? LEXICAL_UNAVAILABLE;
  } finally {
    // Only collections that exist get a series: callers choose the names (see CollectionBreakers).
    if (params.breakers.has(collection)) {
      params.metrics?.lexicalSearchDuration?.observe({ collection }, msSince(start) / 1000);
    }
  }
}
