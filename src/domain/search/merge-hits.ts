import type { CollectionHits } from './fan-out';
import type { SearchHit } from './search-types';

/**
 * Merges the collections' hits into one list, best vector score first. A document (same
 * collection and id) found more than once is kept once, with its best score. Ties are broken
 * by collection then id, so the order is deterministic.
 */
export function mergeHits(results: CollectionHits[]): SearchHit[] {
  const best = new Map<string, SearchHit>();
  for (const { collection, hits } of results) {
    for (const hit of hits) {
      const key = JSON.stringify([collection, hit.id]);
      const seen = best.get(key);
      if (seen && seen.vectorScore >= hit.score) continue;
      best.set(key, {
        id: hit.id,
        collection,
        text: hit.text,
        score: hit.score,
        vectorScore: hit.score,
        metadata: hit.metadata,
      });
    }
  }
  return [...best.values()].sort(byScoreThenKey((hit) => hit.vectorScore));
}

/** A comparator: higher `score` first, then collection, then id. */
export function byScoreThenKey(score: (hit: SearchHit) => number): (a: SearchHit, b: SearchHit) => number {
  return (a, b) =>
    score(b) - score(a) ||
    (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
