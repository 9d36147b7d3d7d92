/** The memory store port: facts, conversations and messages per user. */
import type { CallContext } from './context';
import type { Metadata } from './vector-ports';

export interface Fact {
  id: string;
  userId: string;
  content: string;
  source: string;
  confidence: number;
  metadata: Metadata;
  createdAt: Date;
  /** When it began to hold in the world (createdAt unless given). */
  validFrom: Date;
  /** When it stopped holding; undefined while open-ended. */
  validUntil: Date | undefined;
  /** After this it is never returned, and the sweeper deletes it; undefined: never. */
  expiresAt: Date | undefined;
  /** The version that replaced it (SupersedeFact); undefined unless superseded. */
  supersededBy: string | undefined;
}

export interface NewFact {
  content: string;
  source: string;
  confidence: number;
  metadata: Metadata;
  /** Unset: when it is stored. */
  validFrom?: Date | undefined;
  validUntil?: Date | undefined;
  expiresAt?: Date | undefined;
}

export interface AddFactsResult {
  /** One per input, in input order: the new fact or the existing one it duplicated. */
  facts: Fact[];
  /** Whether each input created a fact (false: duplicate), same order. */
  createdFlags: boolean[];
  /**
   * Expired facts (not yet swept) with the content of a new one, deleted by this write so
   * the content can be stored again; their vectors go in the same step.
   */
  expiredIds?: string[];
}

/**
 * Which versions a read returns. Default: the facts valid now. `asOf`: those valid at that
 * time. `includeHistory`: every version. Expired facts are never returned.
 */
export interface FactView {
  asOf?: Date | undefined;
  includeHistory?: boolean | undefined;
}

/** SupersedeFact's outcome: the closed version and its successor. */
export interface SupersedeResult {
  previous: Fact;
  current: Fact;
  /** As in {@link AddFactsResult.expiredIds}. */
  expiredIds: string[];
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
  /**
   * Stores facts; uniqueness of (user, normalised content) is enforced by the database.
   * `inTransaction` runs after the rows are written and before they commit, under the user's
   * fact lock (see {@link UserFactsStep}).
   */
  addFacts(
    userId: string,
    facts: NewFact[],
    ctx: CallContext,
    inTransaction?: UserFactsStep<AddFactsResult>,
  ): Promise<AddFactsResult>;
  /** Newest first, strictly after `after` when given; the facts `view` selects (now by default). */
  listFacts(
    userId: string,
    limit: number,
    after: TimeCursor | undefined,
    ctx: CallContext,
    view?: FactView,
  ): Promise<Fact[]>;
  /**
   * The user's facts among `ids` (others' ids are ignored) that `view` selects (valid now by
   * default; never expired ones), in no particular order.
   */
  getFacts(userId: string, ids: string[], ctx: CallContext, view?: FactView): Promise<Fact[]>;
  /**
   * Closes the user's current fact `factId` at `at` (now when undefined) and stores `fact` as
   * its next version, valid from `at`, in one transaction under the user's fact lock;
   * `inTransaction` runs before the commit. NotFoundError for an unknown, expired or other
   * user's fact; FailedPreconditionError when it is not current (superseded or ended) or
   * `at` is not after its valid_from; AlreadyExistsError when another current fact has the
   * new content.
   */
  supersedeFact(
    userId: string,
    factId: string,
    fact: NewFact,
    at: Date | undefined,
    ctx: CallContext,
    inTransaction?: UserFactsStep<SupersedeResult>,
  ): Promise<SupersedeResult>;
  /** Every unexpired version of the fact's lineage, oldest first; empty for an unknown fact. */
  factHistory(userId: string, factId: string, ctx: CallContext): Promise<Fact[]>;
  /** Owners of expired facts, those that expired first first; at most `limit` users. */
  expiredFactOwners(limit: number, ctx: CallContext): Promise<string[]>;
  /**
   * Deletes up to `limit` of the user's expired facts under the user's fact lock, if it can
   * be taken at once (undefined otherwise: another replica or a write holds it); resolves to
   * the ids deleted. `inTransaction` gets them before the deletion commits.
   */
  sweepExpiredFacts(
    userId: string,
    limit: number,
    ctx: CallContext,
    inTransaction: UserFactsStep<string[]>,
  ): Promise<string[] | undefined>;
  /**
   * Deletes the user's facts among `ids`; resolves to the ids actually deleted.
   * `inTransaction` gets those ids before the deletion commits.
   */
  deleteFacts(
    userId: string,
    ids: string[],
    ctx: CallContext,
    inTransaction?: UserFactsStep<string[]>,
  ): Promise<string[]>;
  /**
   * Of `ids`, those that are not (or no longer) the user's facts, decided under the user's
   * fact lock; `inTransaction` gets them while the lock is held, so no write of the user's
   * facts can interleave. Used to collect index entries left without a row.
   */
  withMissingFacts(
    userId: string,
    ids: string[],
    ctx: CallContext,
    inTransaction: UserFactsStep<string[]>,
  ): Promise<string[]>;
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
  /**
   * Deletes all of the user's rows in one transaction; exact counts. `beforeDelete` runs
   * first, under the user's fact lock.
   */
  forgetUser(userId: string, ctx: CallContext, beforeDelete?: UserFactsStep<void>): Promise<ForgetUserCounts>;
}

/**
 * Work another store does inside a repository transaction that changes a user's facts: it
 * runs under a per-user lock that every such transaction takes (so, for example, a
 * ForgetUser can never run between a fact's row and its vector), after the rows changed and
 * before they commit. A rejection rolls the rows back and is the call's error.
 */
export type UserFactsStep<T> = (result: T) => Promise<void>;

/** A fact found by a retriever over one user's facts, with that retriever's score. */
export interface ScoredFactId {
  factId: string;
  score: number;
}

/**
 * BM25 over one user's facts: RecallFacts' lexical side. The index is kept by the repository
 * in the same transactions as the fact rows; a query is scored against the user's facts only
 * (N, document frequencies and average length included), never all users' filtered afterwards.
 */
export interface LexicalFactIndex {
  /** The user's facts best matching `query` by BM25 (every score > 0), best first, at most `limit`. */
  search(userId: string, query: string, limit: number, ctx: CallContext): Promise<ScoredFactId[]>;
  /** Drops whatever this process keeps of the user's index (called once ForgetUser ran). */
  forgetUser?(userId: string): void;
}
