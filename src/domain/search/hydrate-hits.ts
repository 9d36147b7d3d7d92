import type { CallContext } from '../context';
import type { VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import { failureReason } from './fan-out';
import { runWithTimeout } from './run-with-timeout';
import type { FailedCollection, SearchHit } from './search-types';

/** The surviving hits with their content, and the collections whose content could not be read. */
export interface Hydrated {
  hits: SearchHit[];
  failed: FailedCollection[];
  /** The errors of `failed`, same order. */
  errors: unknown[];
}

/**
 * Fetches text and metadata for the hits that survived the merge — one request per
 * collection, all at once, each through the collection's breaker and timeout. A search over
 * several collections asks them for ids and scores only, because most candidates are dropped
 * by the merge and their content is the bulk of a vector search's cost (about two thirds of a
 * Milvus Lite search at 30 candidates). A hit whose record vanished meanwhile is dropped; a
 * collection whose fetch fails loses its hits and is reported like a failed search.
 */
export async function hydrateHits(
  hits: SearchHit[],
  deps: { store: VectorStore; breakers: CollectionBreakers; perCollectionTimeoutMs: number },
  ctx: CallContext,
): Promise<Hydrated> {
  const byCollection = new Map<string, string[]>();
  for (const hit of hits) byCollection.set(hit.collection, [...(byCollection.get(hit.collection) ?? []), hit.id]);

  const content = new Map<string, { text: string; metadata: SearchHit['metadata'] }>();
  const failed: FailedCollection[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    [...byCollection].map(async ([collection, ids]) => {
      try {
        const found = await deps.breakers
          .get(collection)
          .run(() =>
            runWithTimeout(
              (child) => deps.store.fetch(collection, ids, child),
              ctx,
              deps.perCollectionTimeoutMs,
              `collection ${collection}`,
            ),
          );
        for (const c of found) content.set(JSON.stringify([collection, c.id]), c);
      } catch (error) {
        failed.push({ name: collection, reason: failureReason(error) });
        errors.push(error);
      }
    }),
  );

  const hydrated: SearchHit[] = [];
  for (const hit of hits) {
    const c = content.get(JSON.stringify([hit.collection, hit.id]));
    if (c) hydrated.push({ ...hit, text: c.text, metadata: c.metadata });
  }
  return { hits: hydrated, failed, errors };
}
