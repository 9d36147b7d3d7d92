/** Column lists and row mappers shared by the memory repository's queries. */
import { InvalidArgumentError } from '../../domain/errors';
import type { Conversation, Fact, Message, MessageRole, Metadata, TimeCursor, UserStats } from '../../domain/ports';
import { isUuid } from '../../domain/validation';

/** Columns selected for a Fact. */
export const FACT_COLUMNS =
  'id, user_id, content, source, confidence, metadata, created_at, valid_from, valid_until, expires_at, superseded_by';
/** Columns selected for a Conversation. */
export const CONVERSATION_COLUMNS = 'id, user_id, title, message_count, created_at, updated_at';
/** Columns selected for a Message. */
export const MESSAGE_COLUMNS = 'id, role, content, created_at, sequence';

/** A memory_facts row as selected by FACT_COLUMNS. */
export interface FactRow {
  id: string;
  user_id: string;
  content: string;
  source: string;
  confidence: number;
  metadata: Metadata | null;
  created_at: Date;
  valid_from: Date;
  valid_until: Date | null;
  expires_at: Date | null;
  superseded_by: string | null;
}

/** A conversations row as selected by CONVERSATION_COLUMNS. */
export interface ConversationRow {
  id: string;
  user_id: string;
  title: string;
  message_count: number | string;
  created_at: Date;
  updated_at: Date;
}

/** A conversation_messages row as selected by MESSAGE_COLUMNS. */
export interface MessageRow {
  id: string;
  role: string;
  content: string;
  created_at: Date;
  sequence: number | string;
}

/** A user_stats row; bigint columns arrive as strings from pg and as numbers from PGlite. */
export interface UserStatsRow {
  user_id: string;
  fact_count: number | string;
  conversation_count: number | string;
  message_count: number | string;
  search_count: number | string;
  first_seen: Date;
  last_active: Date;
}

/** A Fact from its row. */
export function toFact(row: FactRow): Fact {
  return {
    id: row.id,
    userId: row.user_id,
    content: row.content,
    source: row.source,
    confidence: Number(row.confidence),
    metadata: row.metadata ?? {},
    createdAt: row.created_at,
    validFrom: row.valid_from,
    validUntil: row.valid_until ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    supersededBy: row.superseded_by ?? undefined,
  };
}

/** A Conversation from its row. */
export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    userId: row.user_id,
    title: row.title,
    messageCount: Number(row.message_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A Message from its row. */
export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    role: row.role as MessageRole,
    content: row.content,
    createdAt: row.created_at,
    sequence: Number(row.sequence),
  };
}

/** UserStats from its row. */
export function toUserStats(row: UserStatsRow): UserStats {
  return {
    userId: row.user_id,
    factCount: Number(row.fact_count),
    conversationCount: Number(row.conversation_count),
    messageCount: Number(row.message_count),
    searchCount: Number(row.search_count),
    firstSeen: row.first_seen,
    lastActive: row.last_active,
  };
}

/** A time cursor as the SQL's (at, id) parameters; an id that is no UUID is a forged token. */
export function cursorParams(after: TimeCursor): [Date, string] {
  if (!isUuid(after.id)) throw InvalidArgumentError.of('page_token', 'is not a valid page token');
  return [after.at, after.id];
}
