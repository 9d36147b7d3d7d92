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
  /** Newest first, strictly after `after` when given. */
  listFacts(userId: string, limit: number, after: TimeCursor | undefined, ctx: CallContext): Promise<Fact[]>;
  /** The user's facts among `ids` (others' ids are ignored), in no particular order. */
  getFacts(userId: string, ids: string[], ctx: CallContext): Promise<Fact[]>;
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
}
