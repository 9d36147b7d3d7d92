import type { VectorHit } from '../ports';
import type { FusionMethod, Retriever, SearchHit } from './search-types';

/** One retriever's hits in one collection, as the store returned them. */
export interface RankedList {
  collection: string;
  retriever: Retriever;
  hits: VectorHit[];
}

/** How lists are fused: the method, RRF's k and weighted fusion's dense weight in [0, 1]. */
export interface FusionSettings {
  method: FusionMethod;
  rrfK: number;
  denseWeight: number;
}

/** The fused ranking and the fusion actually applied (undefined: one retriever, merged by score). */
export interface FusedHits {
  hits: SearchHit[];
  fusion: FusionMethod | undefined;
}

/**
 * Fuses every list (collection × retriever) into one ranking, one hit per (collection, id),
 * each carrying its score and 1-based rank in its dense and lexical lists. When lists of
 * both retrievers are present they are fused: RRF sums 1 / (k + rank) over the lists a hit is
 * in; weighted sums the lists' min-max normalised scores, dense ones times `denseWeight` and
 * lexical ones times the rest. With one retriever only, its scores are comparable across
 * collections (cosine; BM25), so hits are merged by score and keep it — the pre-hybrid order.
 * Ties: collection, then id.
 */
export function fuseLists(lists: RankedList[], settings: FusionSettings): FusedHits {
  const fuse = new Set(lists.map((l) => l.retriever)).size > 1;
  const merged = new Map<string, SearchHit>();
  for (const list of lists) {
    const ranked = rankList(list.hits);
    const scores = ranked.map((h) => h.score);
    const min = Math.min(...scores);
    const span = Math.max(...scores) - min;
    const weight = list.retriever === 'dense' ? settings.denseWeight : 1 - settings.denseWeight;
    ranked.forEach((hit, i) => {
      const key = JSON.stringify([list.collection, hit.id]);
      let fused = merged.get(key);
      if (!fused) {
        fused = { id: hit.id, collection: list.collection, text: hit.text, score: 0, metadata: hit.metadata };
        merged.set(key, fused);
      }
      if (list.retriever === 'dense') {
        fused.vectorScore = hit.score;
        fused.vectorRank = i + 1;
      } else {
        fused.lexicalScore = hit.score;
        fused.lexicalRank = i + 1;
      }
      if (!fuse) fused.score = hit.score;
      else if (settings.method === 'rrf') fused.score += 1 / (settings.rrfK + i + 1);
      // A list whose scores are all equal says nothing about order: every hit counts fully.
      else fused.score += weight * (span > 0 ? (hit.score - min) / span : 1);
    });
  }
  return {
    hits: [...merged.values()].sort(byScoreThenKey((h) => h.score)),
    fusion: fuse ? settings.method : undefined,
  };
}

/** The list best first, a document listed twice kept once with its best score. */
function rankList(hits: VectorHit[]): VectorHit[] {
  const best = new Map<string, VectorHit>();
  for (const hit of hits) {
    const seen = best.get(hit.id);
    if (!seen || hit.score > seen.score) best.set(hit.id, hit);
  }
  return [...best.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A comparator: higher `score` first, then collection, then id. */
export function byScoreThenKey(score: (hit: SearchHit) => number): (a: SearchHit, b: SearchHit) => number {
  return (a, b) =>
    score(b) - score(a) ||
    (a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
