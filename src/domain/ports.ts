/**
 * The ports the domain owns. Adapters in `src/adapters/` implement them; the domain never
 * imports an adapter, a driver or generated code.
 */
import type { CallContext } from './context';

/** JSON-like metadata, as carried by google.protobuf.Struct. */
export type Metadata = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// Vectors

/** Comparison of a top-level metadata field with filter values. */
export type FilterOperator = 'eq' | 'ne' | 'in' | 'not_in' | 'lt' | 'lte' | 'gt' | 'gte';
export type FilterValue = string | number | boolean;

/** A validated metadata filter: `field` matches search-rules.ts's FILTER_FIELD_PATTERN. */
export interface MetadataFilter {
  field: string;
  operator: FilterOperator;
  values: FilterValue[];
}

/** A document as stored in a vector collection. */
export interface VectorRecord {
  id: string;
  text: string;
  metadata: Metadata;
  vector: number[];
}

/** A search hit; `score` is the cosine similarity in [-1, 1], higher is closer. */
export interface VectorHit {
  id: string;
  text: string;
  metadata: Metadata;
  score: number;
}

export interface VectorQuery {
  vector: number[];
  limit: number;
  /** Combined with AND. */
  filters: MetadataFilter[];
}

/** A lexical (BM25) query: the raw text, tokenised by the store. */
export interface LexicalQuery {
  text: string;
  limit: number;
  /** Combined with AND. */
  filters: MetadataFilter[];
}

export interface CollectionStats {
  name: string;
  count: number;
  dimension: number;
  /** Whether the collection has a lexical (BM25) side; absent means it has none. */
  lexical?: boolean;
}

/**
 * A store of named collections of vectors, searched by cosine similarity.
 * Errors: NotFoundError for an unknown collection, FailedPreconditionError for a dimension
 * mismatch, UnavailableError when the backend cannot be reached, DeadlineExceededError.
 */
export interface VectorStore {
  /** Creates the collection (if missing) for vectors of `dimension`; checks it otherwise. */
  ensureCollection(name: string, dimension: number, ctx: CallContext): Promise<void>;
  /** Inserts or replaces records; once it resolves they are durable and searchable. */
  upsert(collection: string, records: VectorRecord[], ctx: CallContext): Promise<void>;
  /** Deletes by id; resolves to how many existed. */
  delete(collection: string, ids: string[], ctx: CallContext): Promise<number>;
  /** Deletes every record matching all filters; resolves to how many were deleted. */
  deleteWhere(collection: string, filters: MetadataFilter[], ctx: CallContext): Promise<number>;
  /**
   * Up to `limit` records of the collection with their vectors, in no particular order (for
   * small internal collections mirrored in memory). NotFoundError for an unknown collection.
   */
  scan(collection: string, limit: number, ctx: CallContext): Promise<VectorRecord[]>;
  /** Nearest records, best first. */
  search(collection: string, query: VectorQuery, ctx: CallContext): Promise<VectorHit[]>;
  /**
   * Lexical (BM25) search, for stores that can: best first, `score` the BM25 score (higher
   * is better). Resolves to undefined when this collection has no lexical side (created
   * before it existed, or on a server without BM25); a store without the method has none
   * anywhere. NotFoundError for an unknown collection, like `search`.
   */
  searchLexical?(collection: string, query: LexicalQuery, ctx: CallContext): Promise<VectorHit[] | undefined>;
  /**
   * Gives an existing collection its lexical side, rebuilt from its stored texts (for stores
   * where older collections lack one). Resolves to whether anything had to be done and how
   * many documents the collection holds. NotFoundError for an unknown collection;
   * FailedPreconditionError when the backend cannot do lexical search at all.
   */
  addLexical?(collection: string, ctx: CallContext): Promise<{ added: boolean; documents: number }>;
  /** Every collection with its size and dimension, by name. */
  listCollections(ctx: CallContext): Promise<CollectionStats[]>;
  /** Resolves when the backend answers. */
  ping(ctx: CallContext): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Embedding and reranking

/**
 * What texts are embedded for. Models such as bge and e5 embed a search query differently from
 * the passage that answers it (an instruction prefix on one side): `query` is what is searched
 * with (a Search query, a RecallFacts query, a golden answer's question), `document` what is
 * searched (documents, facts).
 */
export type EmbeddingKind = 'query' | 'document';

/** Turns texts into vectors of a fixed dimension, unit length. */
export interface Embedder {
  readonly name: string;
  readonly dimension: number;
  /** One vector per text, same order; `kind` defaults to `document`. */
  embed(texts: string[], ctx: CallContext, kind?: EmbeddingKind): Promise<number[][]>;
}

/** Scores texts against a query; higher is more relevant. */
export interface Reranker {
  readonly name: string;
  /**
   * True when the reranker scores a text by the query's own words alone (the built-in BM25
   * reranker). It then adds nothing that lexical retrieval has not already weighed — with the
   * whole collection's statistics rather than the candidates' — so AUTO does not run it on
   * hits that lexical retrieval found. A model (cross-encoder) reranker leaves it unset.
   */
  readonly lexical?: boolean;
  /** One score per text, same order as `texts`. */
  rerank(query: string, texts: string[], ctx: CallContext): Promise<number[]>;
}

// ---------------------------------------------------------------------------------------
// Memory

export interface Fact {
  id: string;
  userId: string;
  content: string;
  source: string;
  confidence: number;
  metadata: Metadata;
  createdAt: Date;
}

export interface NewFact {
  content: string;
  source: string;
  confidence: number;
  metadata: Metadata;
}

export interface AddFactsResult {
  /** One per input, in input order: the new fact or the existing one it duplicated. */
  facts: Fact[];
  /** Whether each input created a fact (false: duplicate), same order. */
  createdFlags: boolean[];
}

/** Position after the last item of a page, for keyset pagination (newest first). */
export interface TimeCursor {
  at: Date;
  id: string;
}

export type MessageRole = 'user' | 'assistant' | 'system' | 'tool';

export interface Message {
  id: string;
  role: MessageRole;
  content: string;
  createdAt: Date;
  sequence: number;
}

export interface NewMessage {
  role: MessageRole;
  content: string;
}

export interface Conversation {
  id: string;
  userId: string;
  title: string;
  messageCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserStats {
  userId: string;
  factCount: number;
  conversationCount: number;
  messageCount: number;
  searchCount: number;
  firstSeen: Date;
  lastActive: Date;
}

export interface ForgetUserCounts {
  facts: number;
  conversations: number;
  messages: number;
  userStats: number;
}

/**
 * Durable memory. Every write that touches counters updates user_stats in the same
 * transaction, so the stats always equal the rows.
 */
export interface MemoryRepository {
  /** Stores facts; uniqueness of (user, normalised content) is enforced by the database. */
  addFacts(userId: string, facts: NewFact[], ctx: CallContext): Promise<AddFactsResult>;
  /** Newest first, strictly after `after` when given. */
  listFacts(userId: string, limit: number, after: TimeCursor | undefined, ctx: CallContext): Promise<Fact[]>;
  /** The user's facts among `ids` (others' ids are ignored), in no particular order. */
  getFacts(userId: string, ids: string[], ctx: CallContext): Promise<Fact[]>;
  /** Deletes the user's facts among `ids`; resolves to the ids actually deleted. */
  deleteFacts(userId: string, ids: string[], ctx: CallContext): Promise<string[]>;
  /**
   * Appends to the user's conversation (a new one when `conversationId` is undefined).
   * NotFoundError when the conversation does not exist or is another user's.
   */
  appendMessages(
    userId: string,
    conversationId: string | undefined,
    messages: NewMessage[],
    title: string | undefined,
    ctx: CallContext,
  ): Promise<Conversation>;
  /** The user's conversation, or undefined (also when it is another user's). */
  getConversation(userId: string, conversationId: string, ctx: CallContext): Promise<Conversation | undefined>;
  /** Messages in order, with sequence strictly greater than `afterSequence`. */
  listMessages(conversationId: string, limit: number, afterSequence: number, ctx: CallContext): Promise<Message[]>;
  /** Most recently updated first, strictly after `after` when given. */
  listConversations(
    userId: string,
    limit: number,
    after: TimeCursor | undefined,
    ctx: CallContext,
  ): Promise<Conversation[]>;
  getUserStats(userId: string, ctx: CallContext): Promise<UserStats | undefined>;
  /** Counts a search made on the user's behalf. */
  recordSearch(userId: string, ctx: CallContext): Promise<void>;
  /** Deletes all of the user's rows in one transaction; exact counts. */
  forgetUser(userId: string, ctx: CallContext): Promise<ForgetUserCounts>;
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
