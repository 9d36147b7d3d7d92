import type { MessageRole, NewFact, NewMessage } from '../ports';
import { LIMITS, Violations } from '../validation';
import { VECTOR_LIMITS } from '../vector-rules';

/** MemoryService limits; docs/limits.md documents them. */
export const MEMORY_LIMITS = {
  factsPerCall: 100,
  factContentMaxLength: 4096,
  factSourceMaxLength: 256,
  /** DeleteFacts ids: one batch leaves the fact index through one store filter, so no more than it takes. */
  idsPerCall: VECTOR_LIMITS.storeValuesPerFilter,
  messagesPerCall: 100,
  messageContentMaxLength: 65_535,
  titleMaxLength: 256,
  recallDefault: 10,
  recallMax: 100,
} as const;

const ROLES: readonly MessageRole[] = ['user', 'assistant', 'system', 'tool'];

/** Validates a user id alone. */
export function validateUserId(userId: string): void {
  const v = new Violations();
  v.userId('user_id', userId);
  v.throwIfAny();
}

/** Validates AddFacts and returns the facts with defaults applied (confidence 0 → 1). */
export function validateAddFacts(input: {
  userId: string;
  facts: Array<{ content: string; source: string; confidence: number; metadata: Record<string, unknown> }>;
}): NewFact[] {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.count('facts', input.facts.length, 1, MEMORY_LIMITS.factsPerCall);
  input.facts.forEach((fact, i) => {
    v.text(`facts[${i}].content`, fact.content, MEMORY_LIMITS.factContentMaxLength);
    v.text(`facts[${i}].source`, fact.source, MEMORY_LIMITS.factSourceMaxLength, { required: false });
    if (!(fact.confidence >= 0 && fact.confidence <= 1)) v.add(`facts[${i}].confidence`, 'must be between 0 and 1');
    v.metadata(`facts[${i}].metadata`, fact.metadata);
  });
  v.throwIfAny();
  return input.facts.map((f) => ({
    content: f.content,
    source: f.source,
    confidence: f.confidence === 0 ? 1 : f.confidence,
    metadata: f.metadata,
  }));
}

/** Validates a listing request; returns the effective page size. */
export function validatePage(input: { userId: string; pageSize: number }): number {
  const v = new Violations();
  v.userId('user_id', input.userId);
  const size = v.pageSize('page_size', input.pageSize);
  v.throwIfAny();
  return size;
}

/** Which retrievers RecallFacts runs (RetrievalMode in the proto). */
export type RecallRetrieval = 'hybrid' | 'dense' | 'lexical';
const RETRIEVALS: readonly string[] = ['hybrid', 'dense', 'lexical'] satisfies RecallRetrieval[];

/**
 * Validates RecallFacts; returns the effective limit and retrieval mode (`retrieval`
 * undefined: `defaultRetrieval`, the server's).
 */
export function validateRecallFacts(
  input: { userId: string; query: string; limit: number; retrieval?: string | undefined },
  defaultRetrieval: RecallRetrieval = 'hybrid',
): { limit: number; retrieval: RecallRetrieval } {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.text('query', input.query, LIMITS.queryMaxLength);
  const limit = v.limit('limit', input.limit, MEMORY_LIMITS.recallDefault, MEMORY_LIMITS.recallMax);
  const retrieval = input.retrieval ?? defaultRetrieval;
  if (!RETRIEVALS.includes(retrieval)) v.add('retrieval', 'must be one of the RETRIEVAL_MODE_* values');
  v.throwIfAny();
  return { limit, retrieval: retrieval as RecallRetrieval };
}

/** Validates DeleteFacts. */
export function validateDeleteFacts(input: { userId: string; ids: string[] }): void {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.count('ids', input.ids.length, 1, MEMORY_LIMITS.idsPerCall);
  input.ids.forEach((id, i) => {
    v.uuid(`ids[${i}]`, id);
  });
  v.throwIfAny();
}

/** Validates AppendMessages; returns the messages with their roles typed. */
export function validateAppendMessages(input: {
  userId: string;
  conversationId: string;
  messages: Array<{ role: string; content: string }>;
  title: string;
}): NewMessage[] {
  const v = new Violations();
  v.userId('user_id', input.userId);
  if (input.conversationId) v.uuid('conversation_id', input.conversationId);
  v.count('messages', input.messages.length, 1, MEMORY_LIMITS.messagesPerCall);
  input.messages.forEach((m, i) => {
    if (!ROLES.includes(m.role as MessageRole)) v.add(`messages[${i}].role`, `must be one of ${ROLES.join(', ')}`);
    v.text(`messages[${i}].content`, m.content, MEMORY_LIMITS.messageContentMaxLength);
  });
  v.text('title', input.title, MEMORY_LIMITS.titleMaxLength, { required: false });
  v.throwIfAny();
  return input.messages.map((m) => ({ role: m.role as MessageRole, content: m.content }));
}

/** Validates GetConversation; returns the effective page size. */
export function validateGetConversation(input: { userId: string; conversationId: string; pageSize: number }): number {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.uuid('conversation_id', input.conversationId);
  const size = v.pageSize('page_size', input.pageSize);
  v.throwIfAny();
  return size;
}
