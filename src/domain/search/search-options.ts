import { INTERNAL_COLLECTIONS } from '../internal-collections';
import type { BreakerSettings } from './collection-breakers';
import { DEFAULT_EARLY_EXIT, DEFAULT_RERANK_CANDIDATES, type EarlyExitSignal } from './early-exit';
import type { FanOutStrategy } from './fan-out';
import { SEARCH_LIMITS } from './search-rules';
import type { FusionMethod, RetrievalMode } from './search-types';

/** Tuning of the search pipeline; see {@link DEFAULT_SEARCH_OPTIONS} for the defaults. */
export interface SearchOptions {
  /** Collections searched when a request names none (SEARCH_DEFAULT_COLLECTIONS). */
  defaultCollections: string[];
  /** Hits returned when a request's limit is 0. */
  defaultLimit: number;
  /** Largest limit a request may ask for. */
  maxLimit: number;
  /** The `score` signal's threshold: AUTO skips reranking when the top cosine is strictly above it (SEARCH_EARLY_EXIT_SCORE). */
  earlyExitScore: number;
  /** Off in the benchmark's baseline. */
  earlyExitEnabled: boolean;
  /** What AUTO's early exit measures the first stage's confidence by (SEARCH_EARLY_EXIT_SIGNAL); see early-exit.ts. */
  earlyExitSignal: EarlyExitSignal;
  /** The threshold of signals other than `score` (SEARCH_EARLY_EXIT_THRESHOLD): AUTO skips at or above it. */
  earlyExitThreshold: number;
  /** 'sequential' only for the benchmark's baseline. */
  fanOut: FanOutStrategy;
  /** Each collection search's own timeout; the caller's deadline applies too. */
  perCollectionTimeoutMs: number;
  /**
   * How long a search waits for its query embedding (SEARCH_EMBEDDING_TIMEOUT_MS) before it
   * goes on without it: hybrid answers with the lexical hits, dense fails UNAVAILABLE.
   */
  embeddingTimeoutMs: number;
  /** Most public collections; an UpsertDocuments that would create one more is RESOURCE_EXHAUSTED (MAX_COLLECTIONS). */
  maxCollections: number;
  /** Tuning of the per-collection circuit breakers. */
  breaker: BreakerSettings;
  /** A semantic golden-answer match needs a cosine similarity strictly above this. */
  goldenAnswerThreshold: number;
  /**
   * How long what this process knows of the golden answers (whether any exist, the in-memory
   * copy of their question vectors) is trusted before it is read again.
   */
  goldenAnswerPresenceTtlMs: number;
  /** Larger golden-answer collections are searched in the store instead of in memory. */
  goldenAnswerMirrorMaxEntries: number;
  /** Internal vector collection indexing golden-answer questions. */
  goldenAnswerCollection: string;
  /**
   * Whether AUTO runs a lexical reranker on dense-only hits: measured to help the built-in
   * embedder's and to hurt a model embedder's (docs/retrieval-quality.md), so the
   * composition sets it only without EMBEDDING_URL. On hits BM25 ranked AUTO never runs it.
   */
  lexicalRerankDense: boolean;
  /** Reranking is skipped ('skipped_deadline') when less of the deadline than this is left. */
  rerankMinBudgetMs: number;
  /**
   * Candidates each retriever fetches per collection before fusion (SEARCH_FUSION_DEPTH),
   * whatever the request's limit, so that a smaller limit returns a prefix of a larger one's
   * hits. At least `maxLimit`: fewer would cut the largest requests short.
   */
  fusionDepth: number;
  /** How many of the best fused hits the reranker sees (SEARCH_RERANK_CANDIDATES); the rest follow in fused order. */
  rerankCandidates: number;
  /** Retrievers run when a request does not say (SEARCH_RETRIEVAL_MODE). */
  retrieval: RetrievalMode;
  /** Fusion used when a request does not say (SEARCH_FUSION). */
  fusion: FusionMethod;
  /** k of reciprocal rank fusion when a request does not say (SEARCH_RRF_K). */
  rrfK: number;
  /** Weighted fusion: the dense lists' weight in [0, 1], the lexical lists get the rest (SEARCH_FUSION_WEIGHT). */
  fusionDenseWeight: number;
}

/** The defaults: the performance report's (early exit, parallel fan-out) and those chosen by measurement (docs/retrieval-quality.md). */
export const DEFAULT_SEARCH_OPTIONS: Readonly<SearchOptions> = Object.freeze({
  defaultCollections: [],
  defaultLimit: SEARCH_LIMITS.limitDefault,
  maxLimit: SEARCH_LIMITS.limitMax,
  earlyExitScore: 0.9,
  earlyExitEnabled: true,
  earlyExitSignal: DEFAULT_EARLY_EXIT.signal,
  earlyExitThreshold: DEFAULT_EARLY_EXIT.threshold,
  fanOut: 'parallel',
  perCollectionTimeoutMs: 2_000,
  embeddingTimeoutMs: 5_000,
  maxCollections: 100,
  breaker: {
    errorThresholdPercentage: 50,
    resetTimeoutMs: 10_000,
    volumeThreshold: 5,
    rollingCountTimeoutMs: 10_000,
    maxCollections: 1_000,
  },
  goldenAnswerThreshold: 0.92,
  goldenAnswerPresenceTtlMs: 5_000,
  goldenAnswerMirrorMaxEntries: 20_000,
  goldenAnswerCollection: INTERNAL_COLLECTIONS.goldenAnswers,
  lexicalRerankDense: true,
  rerankMinBudgetMs: 50,
  fusionDepth: SEARCH_LIMITS.limitMax,
  rerankCandidates: DEFAULT_RERANK_CANDIDATES,
  retrieval: 'hybrid',
  fusion: 'rrf',
  rrfK: 60,
  fusionDenseWeight: 0.5,
});

/** Options given in part, breaker settings included. */
export type SearchOptionsInput = Partial<Omit<SearchOptions, 'breaker'>> & { breaker?: Partial<BreakerSettings> };

/** Fills the gaps in `input` with the defaults. */
export function resolveSearchOptions(input: SearchOptionsInput = {}): SearchOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  return {
    ...DEFAULT_SEARCH_OPTIONS,
    ...defined,
    breaker: { ...DEFAULT_SEARCH_OPTIONS.breaker, ...input.breaker },
  };
}
