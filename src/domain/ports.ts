/**
 * The ports the domain owns. Adapters in `src/adapters/` implement them; the domain never
 * imports an adapter, a driver or generated code. The larger families live beside this file
 * (vector-ports.ts, model-ports.ts, memory-ports.ts) and are re-exported here, so importers
 * name one module.
 */
import type { CallContext } from './context';

export type { Embedder, EmbeddingKind, Reranker } from './model-ports';
export type {
  AddFactsResult,
  Conversation,
  Fact,
  FactView,
  ForgetUserCounts,
  LexicalFactIndex,
  MemoryRepository,
  Message,
  MessageRole,
  NewFact,
  NewMessage,
  ScoredFactId,
  SupersedeResult,
  TimeCursor,
  UserFactsStep,
  UserStats,
} from './memory-ports';
export type {
  CollectionStats,
  FilterOperator,
  FilterValue,
  LexicalQuery,
  Metadata,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from './vector-ports';

/**
 * Which embedding space (model and dimension, see embeddingSpaceOf) each vector collection's
 * vectors were made in, so vectors of two models are never compared.
 */
export interface EmbeddingSpaceRepository {
  /** Every recorded collection's space, by collection name. */
  all(ctx: CallContext): Promise<Map<string, string>>;
  /** Records `space` for the collection unless one is recorded; resolves to the recorded one. */
  claim(collection: string, space: string, ctx: CallContext): Promise<string>;
  /** Records `space` for the collection, replacing any (after a re-embed). */
  set(collection: string, space: string, ctx: CallContext): Promise<void>;
}

export interface GoldenAnswer {
  id: string;
  question: string;
  answer: string;
  sources: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface GoldenAnswerRepository {
  /**
   * Creates (no id, or unknown id) or replaces (known id) a golden answer.
   * AlreadyExistsError when another golden answer has the same normalised question.
   */
  upsert(
    input: { id?: string; question: string; normalizedQuestion: string; answer: string; sources: string[] },
    ctx: CallContext,
  ): Promise<{ answer: GoldenAnswer; created: boolean }>;
  findByNormalizedQuestion(normalizedQuestion: string, ctx: CallContext): Promise<GoldenAnswer | undefined>;
  get(id: string, ctx: CallContext): Promise<GoldenAnswer | undefined>;
  /** Whether at least one golden answer exists. */
  any(ctx: CallContext): Promise<boolean>;
  /** Resolves to whether it existed. */
  delete(id: string, ctx: CallContext): Promise<boolean>;
}

/** A backend whose reachability decides readiness. */
export interface HealthProbe {
  readonly name: string;
  /** Resolves when reachable and its breaker is not open. */
  check(ctx: CallContext): Promise<void>;
}
