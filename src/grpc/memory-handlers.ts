import type { MemoryService, RecallFactsInput, ScoredFact } from '../domain/memory';
import type { Conversation, Fact, Message } from '../domain/ports';
import type { Duration } from '../gen/google/protobuf/duration';
import type {
  Conversation as ConversationPb,
  Fact as FactPb,
  ForgetUserResponse,
  MemoryServiceService,
  Message as MessagePb,
  NewFact as NewFactPb,
  RecallFactsRequest,
} from '../gen/recall/v1/memory';
import type { Handlers } from './rpc-runtime';
import { toRetrievalMode } from './search-translation';

/** MemoryService handlers: translate protobuf messages to domain calls and back, nothing more. */
export function memoryHandlers(memory: MemoryService): Handlers<typeof MemoryServiceService> {
  return {
    async addFacts(req, ctx) {
      const result = await memory.addFacts({ userId: req.userId, facts: req.facts.map(toFactInput) }, ctx);
      return { facts: result.facts.map(toFactPb), created: result.created, duplicates: result.duplicates };
    },

    async listFacts(req, ctx) {
      const page = await memory.listFacts(req, ctx);
      return { facts: page.facts.map(toFactPb), nextPageToken: page.nextPageToken };
    },

    async recallFacts(req, ctx) {
      const result = await memory.recallFacts(toRecallInput(req), ctx);
      return { facts: result.facts.map(toFactPb) };
    },

    async supersedeFact(req, ctx) {
      const result = await memory.supersedeFact(
        { userId: req.userId, factId: req.factId, fact: req.fact && toFactInput(req.fact), at: req.at },
        ctx,
      );
      return { fact: toFactPb(result.current), superseded: toFactPb(result.previous) };
    },

    async getFactHistory(req, ctx) {
      const result = await memory.getFactHistory(req, ctx);
      return { facts: result.facts.map(toFactPb) };
    },

    async deleteFacts(req, ctx) {
      return memory.deleteFacts(req, ctx);
    },

    async appendMessages(req, ctx) {
      return memory.appendMessages(req, ctx);
    },

    async getConversation(req, ctx) {
      const result = await memory.getConversation(req, ctx);
      return {
        conversation: toConversationPb(result.conversation),
        messages: result.messages.map(toMessagePb),
        nextPageToken: result.nextPageToken,
      };
    },

    async listConversations(req, ctx) {
      const page = await memory.listConversations(req, ctx);
      return { conversations: page.conversations.map(toConversationPb), nextPageToken: page.nextPageToken };
    },

    async getUserStats(req, ctx) {
      return { stats: await memory.getUserStats(req, ctx) };
    },

    async forgetUser(req, ctx) {
      return toForgetUserPb(await memory.forgetUser(req, ctx));
    },
  };
}

function toRecallInput(req: RecallFactsRequest): RecallFactsInput {
  const retrieval = toRetrievalMode(req.retrieval);
  return {
    userId: req.userId,
    query: req.query,
    limit: req.limit,
    ...(retrieval ? { retrieval } : {}),
    ...(req.asOf && { asOf: req.asOf }),
    includeHistory: req.includeHistory,
  };
}

function toForgetUserPb(counts: Awaited<ReturnType<MemoryService['forgetUser']>>): ForgetUserResponse {
  return {
    deletedFacts: counts.facts,
    deletedConversations: counts.conversations,
    deletedMessages: counts.messages,
    deletedUserStats: counts.userStats,
    deletedFactVectors: counts.factVectors,
  };
}

function toFactPb(fact: Fact | ScoredFact): FactPb {
  return {
    id: fact.id,
    userId: fact.userId,
    content: fact.content,
    source: fact.source,
    confidence: fact.confidence,
    metadata: fact.metadata,
    createdAt: fact.createdAt,
    score: 'score' in fact ? fact.score : 0,
    validFrom: fact.validFrom,
    validUntil: fact.validUntil,
    expiresAt: fact.expiresAt,
    supersededBy: fact.supersededBy ?? '',
    vectorScore: 'vectorScore' in fact ? (fact.vectorScore ?? 0) : 0,
    lexicalScore: 'lexicalScore' in fact ? (fact.lexicalScore ?? 0) : 0,
  };
}

function toFactInput(f: NewFactPb) {
  return {
    content: f.content,
    source: f.source,
    confidence: f.confidence,
    metadata: f.metadata ?? {},
    validFrom: f.validFrom,
    validUntil: f.validUntil,
    expiresAt: f.expiresAt,
    ttlSeconds: f.ttl && durationSeconds(f.ttl),
  };
}

function durationSeconds(d: Duration): number {
  return d.seconds + d.nanos / 1e9;
}

function toConversationPb(c: Conversation): ConversationPb {
  return {
    id: c.id,
    userId: c.userId,
    title: c.title,
    messageCount: c.messageCount,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

function toMessagePb(m: Message): MessagePb {
  return { id: m.id, role: m.role, content: m.content, createdAt: m.createdAt, sequence: m.sequence };
}
