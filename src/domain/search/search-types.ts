/**
 * The search domain's request and response types. They mirror `recall.v1.SearchService`
 * (proto/recall/v1/search.proto) without depending on generated code: the gRPC layer maps
 * them one to one.
 */

import type { BreakerStateName } from '../breaker';
import type { FilterInput } from '../filter-rules';
import type { FusionMethod, Retriever } from '../fusion';
import type { Metadata } from '../ports';

/** When the reranker runs: AUTO skips it above the early-exit score, ALWAYS/NEVER as named. */
export type RerankMode = 'auto' | 'always' | 'never';

/** Which retrievers search each collection (RetrievalMode in the proto). */
export type RetrievalMode = 'hybrid' | 'dense' | 'lexical';

export type { FusionMethod, Retriever } from '../fusion';

/** What happened at the rerank stage (RerankOutcome in the proto). */
export type RerankOutcome =
  | 'reranked'
  | 'skipped_early_exit'
  | 'skipped_lexical'
  | 'skipped_by_request'
  | 'skipped_deadline'
  | 'failed'
  | 'skipped_no_hits';

/** A stage a search went on without because the query could not be embedded (SkippedStage in the proto). */
export type SkippedStage = 'dense_retrieval' | 'semantic_golden_answer';

/**
 * A wire enum value this build does not know, passed on by the gRPC layer as
 * `unrecognized:<number>` so that validation names its field along with the rest.
 */
export type Unrecognized = `unrecognized:${number}`;

/** A search as the caller sent it (not the generated SearchRequest); validateSearch checks it whole. */
export interface SearchInput {
  /** Query text; required unless `vector` is given. */
  query?: string;
  /** A ready-made query embedding, used instead of embedding `query`. */
  vector?: number[];
  /** Collections to search; empty means the configured defaults. */
  collections: string[];
  /** Maximum hits returned; 0 means the default (10). */
  limit: number;
  /** Metadata filters, combined with AND; checked by validation (a MetadataFilter is one). */
  filters: FilterInput[];
  rerank: RerankMode | Unrecognized;
  userId?: string;
  skipGoldenAnswer: boolean;
  goldenAnswerOnly: boolean;
  /** Which retrievers run; undefined means the server's default. */
  retrieval?: RetrievalMode | Unrecognized;
  /** How lists are fused; undefined means the server's default. */
  fusion?: FusionMethod | Unrecognized;
  /** k of reciprocal rank fusion; undefined means the server's default. */
  rrfK?: number;
}

/** One document found by a search. */
export interface SearchHit {
  id: string;
  collection: string;
  text: string;
  /**
   * The reranker's score when reranked; otherwise the fusion score when several retrievers'
   * lists were fused, else the one retriever's score (cosine or BM25).
   */
  score: number;
  /** Cosine similarity between the query and the document; undefined when no dense list had it. */
  vectorScore?: number;
  /** BM25 score; undefined when no lexical list had it. */
  lexicalScore?: number;
  /** 1-based rank among the dense hits of every searched collection (by cosine), when it is one. */
  vectorRank?: number;
  /** 1-based rank among the lexical hits of every searched collection (by BM25), when it is one. */
  lexicalRank?: number;
  metadata: Metadata;
}

/** A golden answer attached to a search response. */
export interface GoldenAnswerMatch {
  id: string;
  question: string;
  answer: string;
  sources: string[];
  /** 1 for exact matches, the cosine similarity for semantic ones. */
  score: number;
  match: 'exact' | 'semantic';
}

/** A collection that did not answer, with a reason safe to show the caller. */
export interface FailedCollection {
  name: string;
  reason: string;
  /** The retriever that failed while the collection's other one answered; undefined when all failed. */
  retriever?: Retriever;
}

/** Milliseconds spent in each stage. */
export interface SearchTimings {
  embeddingMs: number;
  vectorSearchMs: number;
  rerankMs: number;
  totalMs: number;
  goldenAnswerMs: number;
  fusionMs: number;
}

/** The result of a search (SearchResponse in the proto). */
export interface SearchResult {
  hits: SearchHit[];
  goldenAnswer?: GoldenAnswerMatch;
  reranked: boolean;
  earlyExit: boolean;
  partial: boolean;
  failedCollections: FailedCollection[];
  rerankOutcome: RerankOutcome;
  /** Generic reason when `rerankOutcome` is 'failed'. */
  rerankError?: string;
  timings: SearchTimings;
  /** The retrievers that ran (answered or failed): dense first. */
  retrievers: Retriever[];
  /** Collections where lexical hits were wanted but the collection has no lexical side. */
  lexicalUnavailable: string[];
  /** The fusion used; undefined when one retriever's lists were merged by score. */
  fusion?: FusionMethod;
  /** Stages skipped because the query could not be embedded; empty in a complete answer. */
  skipped: SkippedStage[];
  /** Why the query could not be embedded (safe to show), when it could not. */
  embeddingError?: string;
}

/** A document to upsert; texts without a vector are embedded. */
export interface DocumentInput {
  id: string;
  text: string;
  metadata: Metadata;
  vector?: number[];
}

/** A public collection as ListCollections shows it. */
export interface CollectionInfo {
  name: string;
  documentCount: number;
  dimension: number;
  breakerState: BreakerStateName;
  /** Whether the collection has a lexical (BM25) side. */
  lexical: boolean;
  /** The embedding space its vectors were made in (see embeddingSpaceOf); '' when not recorded. */
  embeddingSpace: string;
}

/** The state of one collection's breaker, for metrics and readiness. */
export interface CollectionBreakerState {
  collection: string;
  breaker: string;
  state: BreakerStateName;
}

/** A golden answer to store; no id (or an unknown one) creates it. */
export interface GoldenAnswerInput {
  id?: string;
  question: string;
  answer: string;
  sources: string[];
}
