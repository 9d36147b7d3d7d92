/**
 * Fusion of ranked lists, shared by Search (collections × retrievers) and RecallFacts (one
 * user's facts, dense and lexical): the same ranking rules wherever recall fuses.
 */
import type { Metadata, VectorHit } from './ports';

/** One way of finding documents: by embedding (cosine) or by words (BM25). */
export type Retriever = 'dense' | 'lexical';

/** How several retrievers' hit lists become one ranking (FusionMethod in the proto). */
export type FusionMethod = 'rrf' | 'weighted';

/** One document of a fused ranking, with each retriever's score and rank when it had it. */
export interface FusedHit {
  id: string;
  collection: string;
  text: string;
  /** The fusion score when several retrievers' lists were fused, else the one retriever's score. */
  score: number;
  /** Cosine similarity between the query and the document; undefined when no dense list had it. */
  vectorScore?: number;
  /** BM25 score; undefined when no lexical list had it. */
  lexicalScore?: number;
  /** 1-based rank in the merged dense list, when it is in it. */
  vectorRank?: number;
  /** 1-based rank in the merged lexical list, when it is in it. */
  lexicalRank?: number;
  metadata: Metadata;
}

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
  hits: FusedHit[];
  fusion: FusionMethod | undefined;
}

/**
 * Fuses every list (collection × retriever) into one ranking, one hit per (collection, id).
 * First each retriever's lists are merged across collections by score — cosine and BM25 are
 * each comparable across collections, whereas ranks are not: every collection has a first
 * hit, and fusing per-collection ranks would tie a weak collection's best with a strong
 * one's. Each hit carries its score and 1-based rank in its retriever's merged list. When
 * both retrievers answered, the two merged lists are fused: RRF sums 1 / (k + rank); weighted
 * sums the lists' min-max normalised scores, dense times `denseWeight`, lexical times the
 * rest. With one retriever only, hits keep its score and order — the pre-hybrid merge.
 * Ties: collection, then id.
 */
export function fuseLists(lists: RankedList[], settings: FusionSettings): FusedHits {
  const retrievers = [...new Set(lists.map((l) => l.retriever))];
  const [only] = retrievers;
  // One retriever: its merged list is the ranking already (same score, same ties).
  if (only !== undefined && retrievers.length === 1)
    return { hits: rankList(lists).map(oneRetriever(only)), fusion: undefined };
  const fuse = retrievers.length > 1;
  const merged = perDocument<FusedHit>();
  for (const retriever of retrievers) {
    const ranked = rankList(lists.filter((l) => l.retriever === retriever));
    const scores = ranked.map(({ hit }) => hit.score);
    const min = Math.min(...scores);
    const span = Math.max(...scores) - min;
    const weight = retriever === 'dense' ? settings.denseWeight : 1 - settings.denseWeight;
    ranked.forEach(({ collection, hit }, i) => {
      let fused = merged.get(collection, hit.id);
      if (!fused) {
        fused = { id: hit.id, collection, text: hit.text, score: 0, metadata: hit.metadata };
        merged.set(collection, hit.id, fused);
      }
      if (retriever === 'dense') {
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
    hits: merged.values().sort(byScoreThenKey((h) => h.score)),
    fusion: fuse ? settings.method : undefined,
  };
}

/** A hit of a one-retriever search, at `i` in the retriever's merged list. */
function oneRetriever(retriever: Retriever): (ranked: RankedHit, i: number) => FusedHit {
  return ({ collection, hit }, i) => {
    const { id, text, metadata, score } = hit;
    return retriever === 'dense'
      ? { id, collection, text, score, vectorScore: score, vectorRank: i + 1, metadata }
      : { id, collection, text, score, lexicalScore: score, lexicalRank: i + 1, metadata };
  };
}

/** A hit of one retriever's merged list and the collection it came from. */
interface RankedHit {
  collection: string;
  hit: VectorHit;
}

/** One retriever's lists as one, best score first, a document listed twice kept once with its best score. */
function rankList(lists: RankedList[]): RankedHit[] {
  const best = perDocument<RankedHit>();
  for (const { collection, hits } of lists) {
    for (const hit of hits) {
      const seen = best.get(collection, hit.id);
      if (!seen || hit.score > seen.hit.score) best.set(collection, hit.id, { collection, hit });
    }
  }
  return best
    .values()
    .sort((a, b) => b.hit.score - a.hit.score || compareKeys(a.collection, a.hit.id, b.collection, b.hit.id));
}

/** Values by (collection, id): one map per collection, so no key string is built per hit. */
function perDocument<T>() {
  const byCollection = new Map<string, Map<string, T>>();
  return {
    get: (collection: string, id: string): T | undefined => byCollection.get(collection)?.get(id),
    set(collection: string, id: string, value: T): void {
      let ids = byCollection.get(collection);
      if (!ids) {
        ids = new Map();
        byCollection.set(collection, ids);
      }
      ids.set(id, value);
    },
    /** Every value, in no particular order. */
    values(): T[] {
      const all: T[] = [];
      for (const ids of byCollection.values()) for (const value of ids.values()) all.push(value);
      return all;
    },
  };
}

/** Orders (collection, id) pairs: by collection, then id. */
function compareKeys(collectionA: string, idA: string, collectionB: string, idB: string): number {
  if (collectionA !== collectionB) return collectionA < collectionB ? -1 : 1;
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

/** A comparator: higher `score` first, then collection, then id. */
export function byScoreThenKey(score: (hit: FusedHit) => number): (a: FusedHit, b: FusedHit) => number {
  return (a, b) => score(b) - score(a) || compareKeys(a.collection, a.id, b.collection, b.id);
}
