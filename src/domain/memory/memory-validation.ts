import { defined } from '../errors';
import type { FactView, MessageRole, NewFact, NewMessage } from '../ports';
import { LIMITS, Violations, addIf } from '../validation';
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
  /** Longest `ttl` of a fact: ten years. */
  ttlMaxSeconds: 10 * 365 * 24 * 60 * 60,
} as const;

/** A fact as a use case receives it: validity and expiry optional, `ttlSeconds` beside `expiresAt`. */
export interface FactInput {
  content: string;
  source: string;
  confidence: number;
  metadata: Record<string, unknown>;
  validFrom?: Date | undefined;
  validUntil?: Date | undefined;
  expiresAt?: Date | undefined;
  ttlSeconds?: number | undefined;
}

/** Earliest and latest instants a google.protobuf.Timestamp can carry (years 1 to 9999). */
const TIMESTAMP_MIN = Date.parse('0001-01-01T00:00:00Z');
const TIMESTAMP_MAX = Date.parse('9999-12-31T23:59:59.999Z');

const ROLES: readonly MessageRole[] = ['user', 'assistant', 'system', 'tool'];

/** Validates a user id alone. */
export function validateUserId(userId: string): void {
  const v = new Violations();
  v.userId('user_id', userId);
  v.throwIfAny();
}

/** Validates AddFacts and returns the facts with defaults applied (confidence 0 → 1, ttl → expiresAt). */
export function validateAddFacts(input: { userId: string; facts: FactInput[] }, now = new Date()): NewFact[] {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.count('facts', input.facts.length, 1, MEMORY_LIMITS.factsPerCall);
  input.facts.forEach((fact, i) => {
    addFactViolations(v, `facts[${i}]`, fact, now);
  });
  v.throwIfAny();
  return input.facts.map((f) => toNewFact(f, now));
}

/** Records every violation of one fact, its fields named under `prefix`. */
function addFactViolations(v: Violations, prefix: string, fact: FactInput, now: Date): void {
  v.text(`${prefix}.content`, fact.content, MEMORY_LIMITS.factContentMaxLength);
  v.text(`${prefix}.source`, fact.source, MEMORY_LIMITS.factSourceMaxLength, { required: false });
  if (!(fact.confidence >= 0 && fact.confidence <= 1)) v.add(`${prefix}.confidence`, 'must be between 0 and 1');
  v.metadata(`${prefix}.metadata`, fact.metadata);
  const times: Array<[string, Date | undefined]> = [
    ['valid_from', fact.validFrom],
    ['valid_until', fact.validUntil],
    ['expires_at', fact.expiresAt],
  ];
  // Every time is checked (each bad one named) before the rules that compare them.
  const timeProblems = times.map(([name, value]) => [name, timestampProblem(value)] as const);
  for (const [name, problem] of timeProblems) addIf(v, `${prefix}.${name}`, problem);
  if (timeProblems.some(([, problem]) => problem !== undefined)) return;
  if (fact.validUntil && fact.validUntil.getTime() <= (fact.validFrom ?? now).getTime()) {
    v.add(`${prefix}.valid_until`, fact.validFrom ? 'must be after valid_from' : 'must be after now (valid_from)');
  }
  if (fact.expiresAt && fact.ttlSeconds !== undefined) {
    v.add(`${prefix}.ttl`, 'give expires_at or ttl, not both');
  } else if (fact.expiresAt && fact.expiresAt.getTime() <= now.getTime()) {
    v.add(`${prefix}.expires_at`, 'must be in the future');
  } else if (fact.ttlSeconds !== undefined && !(fact.ttlSeconds > 0)) {
    v.add(`${prefix}.ttl`, 'must be positive');
  } else if (fact.ttlSeconds !== undefined && fact.ttlSeconds > MEMORY_LIMITS.ttlMaxSeconds) {
    v.add(`${prefix}.ttl`, `must be at most ${MEMORY_LIMITS.ttlMaxSeconds} seconds (ten years)`);
  }
}

/** The fact to store: confidence 0 → 1, a ttl turned into expiresAt from `now`. */
export function toNewFact(f: FactInput, now: Date): NewFact {
  const expiresAt = f.ttlSeconds !== undefined ? new Date(now.getTime() + f.ttlSeconds * 1000) : f.expiresAt;
  return {
    content: f.content,
    source: f.source,
    confidence: f.confidence === 0 ? 1 : f.confidence,
    metadata: f.metadata,
    validFrom: f.validFrom,
    validUntil: f.validUntil,
    expiresAt,
  };
}

/** What is wrong with `value` as a time a Timestamp can carry; undefined when unset or fine. */
function timestampProblem(value: Date | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = value.getTime();
  return Number.isNaN(ms) || ms < TIMESTAMP_MIN || ms > TIMESTAMP_MAX
    ? 'must be a time between years 1 and 9999'
    : undefined;
}

/** Records what is wrong with the versions a read asks for: `as_of` or `include_history`, not both. */
function addFactViewViolations(v: Violations, view: FactView): void {
  if (view.asOf && view.includeHistory) v.add('include_history', 'give as_of or include_history, not both');
  addIf(v, 'as_of', timestampProblem(view.asOf));
}

/** Validates a listing request (and its fact view, when it has one); returns the effective page size. */
export function validatePage(input: { userId: string; pageSize: number } & FactView): number {
  const v = new Violations();
  v.userId('user_id', input.userId);
  const size = v.pageSize('page_size', input.pageSize);
  addFactViewViolations(v, input);
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
  input: { userId: string; query: string; limit: number; retrieval?: string | undefined } & FactView,
  defaultRetrieval: RecallRetrieval = 'hybrid',
): { limit: number; retrieval: RecallRetrieval } {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.text('query', input.query, LIMITS.queryMaxLength);
  const limit = v.limit('limit', input.limit, MEMORY_LIMITS.recallDefault, MEMORY_LIMITS.recallMax);
  const retrieval = input.retrieval ?? defaultRetrieval;
  if (!RETRIEVALS.includes(retrieval)) v.add('retrieval', 'must be one of the RETRIEVAL_MODE_* values');
  addFactViewViolations(v, input);
  v.throwIfAny();
  return { limit, retrieval: retrieval as RecallRetrieval };
}

/** Validates SupersedeFact; returns the new version to store. */
export function validateSupersedeFact(
  input: { userId: string; factId: string; fact: FactInput | undefined; at: Date | undefined },
  now = new Date(),
): NewFact {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.uuid('fact_id', input.factId);
  const atProblem = timestampProblem(input.at);
  addIf(v, 'at', atProblem);
  const atValid = atProblem === undefined;
  if (!input.fact) v.add('fact', 'is required');
  else {
    const validFrom = (atValid ? input.at : undefined) ?? input.fact.validFrom;
    if (atValid && input.at && input.fact.validFrom && input.at.getTime() !== input.fact.validFrom.getTime()) {
      v.add('fact.valid_from', 'must be unset or equal to at (the new version begins when the old one ends)');
    }
    addFactViolations(v, 'fact', { ...input.fact, validFrom }, now);
  }
  v.throwIfAny();
  return toNewFact(defined(input.fact, 'fact'), now);
}

/** Validates GetFactHistory. */
export function validateFactHistory(input: { userId: string; factId: string }): void {
  const v = new Violations();
  v.userId('user_id', input.userId);
  v.uuid('fact_id', input.factId);
  v.throwIfAny();
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
