/**
 * The search domain's request and response types. They mirror `recall.v1.SearchService`
 * (proto/recall/v1/search.proto) without depending on generated code: the gRPC layer maps
 * them one to one.
 */

import type { BreakerStateName } from '../breaker';
import type { Metadata, MetadataFilter } from '../ports';

/** When the reranker runs: AUTO skips it above the early-exit score, ALWAYS/NEVER as named. */
export type RerankMode = 'auto' | 'always' | 'never';

/** What happened at the rerank stage (RerankOutcome in the proto). */
export type RerankOutcome =
  | 'reranked'
  | 'skipped_early_exit'
  | 'skipped_by_request'
  | 'skipped_deadline'
  | 'failed'
  | 'skipped_no_hits';

/** A search as the gRPC layer hands it to the domain (not the generated SearchRequest), its fields already validated for shape. */
export interface SearchInput {
  /** Query text; required unless `vector` is given. */
  query?: string;
  /** A ready-made query embedding, used instead of embedding `query`. */
  vector?: number[];
  /** Collections to search; empty means the configured defaults. */
  collections: string[];
  /** Maximum hits returned; 0 means the default (10). */
  limit: number;
  filters: MetadataFilter[];
  rerank: RerankMode;
  userId?: string;
  skipGoldenAnswer: boolean;
  goldenAnswerOnly: boolean;
}

/** One document found by a search. */
export interface SearchHit {
  id: string;
  collection: string;
  text: string;
  /** The reranker's score when reranked, the vector score otherwise. */
  score: number;
  /** Cosine similarity between the query and the document. */
  vectorScore: number;
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
}

/** Milliseconds spent in each stage. */
export interface SearchTimings {
  embeddingMs: number;
  vectorSearchMs: number;
  rerankMs: number;
  totalMs: number;
  goldenAnswerMs: number;
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
