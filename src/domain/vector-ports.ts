/** The vector store port: collections of vectors searched by similarity, and what they carry. */
import type { CallContext } from './context';

/** JSON-like metadata, as carried by google.protobuf.Struct. */
export type Metadata = Record<string, unknown>;

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
  /** Deletes the collection with everything in it; a missing one is a no-op. */
  dropCollection?(name: string, ctx: CallContext): Promise<void>;
  /** Every collection with its size and dimension, by name. */
  listCollections(ctx: CallContext): Promise<CollectionStats[]>;
  /** Resolves when the backend answers. */
  ping(ctx: CallContext): Promise<void>;
  close(): Promise<void>;
}
