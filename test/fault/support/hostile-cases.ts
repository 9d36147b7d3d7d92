import { randomUUID } from 'node:crypto';
import type { connectClients } from '../../../harness/grpc-clients';
import {
  AddFactsRequest,
  AppendMessagesRequest,
  DeleteFactsRequest,
  ForgetUserRequest,
  GetConversationRequest,
  GetUserStatsRequest,
  ListConversationsRequest,
  ListFactsRequest,
  RecallFactsRequest,
} from '../../../src/gen/recall/v1/memory';
import {
  DeleteDocumentsRequest,
  DeleteGoldenAnswerRequest,
  SearchRequest,
  UpsertDocumentsRequest,
  UpsertGoldenAnswerRequest,
} from '../../../src/gen/recall/v1/search';

type Clients = ReturnType<typeof connectClients>;

/** What a hostile request must get: one of `codes` (INVALID_ARGUMENT unless said), its details naming `field`. */
export interface HostileCase {
  name: string;
  field: string;
  codes?: Array<'INVALID_ARGUMENT' | 'RESOURCE_EXHAUSTED' | 'NOT_FOUND'>;
  call(c: Clients): Promise<unknown>;
}

/** Ids of things that exist, so a case can aim at one field at a time. */
export interface Existing {
  conversationId: string;
  collection: string;
  dimension: number;
}

const long = (n: number) => 'x'.repeat(n);
/** A Struct nested `depth` levels deep. */
const deep = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { nested: value };
  return value;
};
const fact = (over: Record<string, unknown> = {}) => ({ content: 'Likes tea', source: 'test', confidence: 1, ...over });
const addFacts = (over: Record<string, unknown>, factOver?: Record<string, unknown>) => (c: Clients) =>
  c.memory.addFacts(AddFactsRequest.fromPartial({ userId: 'hostile', facts: [fact(factOver)], ...over }));
const append =
  (e: Existing, over: Record<string, unknown>, message: Record<string, unknown> = {}) =>
  (c: Clients) =>
    c.memory.appendMessages(
      AppendMessagesRequest.fromPartial({
        userId: 'hostile',
        conversationId: e.conversationId,
        messages: [{ role: 'user', content: 'hi', ...message }],
        ...over,
      }),
    );
const search = (e: Existing, over: Record<string, unknown>) => (c: Clients) =>
  c.search.search(
    SearchRequest.fromPartial({ query: 'tea', collections: [e.collection], skipGoldenAnswer: true, ...over }),
  );
const upsert =
  (e: Existing, over: Record<string, unknown>, doc: Record<string, unknown> = {}) =>
  (c: Clients) =>
    c.search.upsertDocuments(
      UpsertDocumentsRequest.fromPartial({
        collection: e.collection,
        documents: [{ id: 'd1', text: 'tea', ...doc }],
        ...over,
      }),
    );
const golden = (over: Record<string, unknown>) => (c: Clients) =>
  c.search.upsertGoldenAnswer(UpsertGoldenAnswerRequest.fromPartial({ question: 'Q?', answer: 'A.', ...over }));

/** Every RPC with hostile values in each of its fields. */
export function hostileCases(e: Existing): HostileCase[] {
  const MAX = 4_294_967_295;
  const zeros = Array(e.dimension).fill(0);
  const nan = [Number.NaN, ...Array(e.dimension - 1).fill(0.1)];
  const inf = [Number.POSITIVE_INFINITY, ...Array(e.dimension - 1).fill(0.1)];
  const userIdCases = (rpc: string, call: (userId: string) => (c: Clients) => Promise<unknown>): HostileCase[] => [
    { name: `${rpc} empty user_id`, field: 'user_id', call: call('') },
    { name: `${rpc} over-long user_id`, field: 'user_id', call: call(long(129)) },
    { name: `${rpc} user_id with spaces and slashes`, field: 'user_id', call: call('a b/../c') },
    { name: `${rpc} user_id with NUL`, field: 'user_id', call: call('a\u0000b') },
  ];
  return [
    ...userIdCases('AddFacts', (userId) => addFacts({ userId })),
    { name: 'AddFacts no facts', field: 'facts', call: addFacts({ facts: [] }) },
    { name: 'AddFacts 101 facts', field: 'facts', call: addFacts({ facts: Array(101).fill(fact()) }) },
    { name: 'AddFacts empty content', field: 'facts[0].content', call: addFacts({}, { content: '' }) },
    { name: 'AddFacts blank content', field: 'facts[0].content', call: addFacts({}, { content: ' \t\n' }) },
    { name: 'AddFacts over-long content', field: 'facts[0].content', call: addFacts({}, { content: long(4097) }) },
    { name: 'AddFacts NUL in content', field: 'facts[0].content', call: addFacts({}, { content: 'a\u0000b' }) },
    { name: 'AddFacts NUL in source', field: 'facts[0].source', call: addFacts({}, { source: 'a\u0000b' }) },
    { name: 'AddFacts over-long source', field: 'facts[0].source', call: addFacts({}, { source: long(257) }) },
    { name: 'AddFacts NaN confidence', field: 'facts[0].confidence', call: addFacts({}, { confidence: Number.NaN }) },
    {
      name: 'AddFacts infinite confidence',
      field: 'facts[0].confidence',
      call: addFacts({}, { confidence: Number.POSITIVE_INFINITY }),
    },
    { name: 'AddFacts negative confidence', field: 'facts[0].confidence', call: addFacts({}, { confidence: -1 }) },
    {
      name: 'AddFacts 20 KiB metadata',
      field: 'facts[0].metadata',
      call: addFacts({}, { metadata: { blob: long(20_000) } }),
    },
    { name: 'AddFacts metadata nested 40 deep', field: 'metadata', call: addFacts({}, { metadata: deep(40) }) },
    {
      name: 'AddFacts NUL in metadata',
      field: 'facts[0].metadata',
      call: addFacts({}, { metadata: { k: 'a\u0000b' } }),
    },

    ...userIdCases('ListFacts', (userId) => (c) => c.memory.listFacts(ListFactsRequest.fromPartial({ userId }))),
    {
      name: 'ListFacts huge page_size',
      field: 'page_size',
      call: (c) => c.memory.listFacts(ListFactsRequest.fromPartial({ userId: 'hostile', pageSize: MAX })),
    },
    {
      name: 'ListFacts forged page_token',
      field: 'page_token',
      call: (c) => c.memory.listFacts(ListFactsRequest.fromPartial({ userId: 'hostile', pageToken: 'forged' })),
    },
    {
      name: 'ListFacts over-long page_token',
      field: 'page_token',
      call: (c) => c.memory.listFacts(ListFactsRequest.fromPartial({ userId: 'hostile', pageToken: long(100_000) })),
    },

    ...userIdCases(
      'RecallFacts',
      (userId) => (c) => c.memory.recallFacts(RecallFactsRequest.fromPartial({ userId, query: 'tea' })),
    ),
    {
      name: 'RecallFacts empty query',
      field: 'query',
      call: (c) => c.memory.recallFacts(RecallFactsRequest.fromPartial({ userId: 'hostile', query: '' })),
    },
    {
      name: 'RecallFacts over-long query',
      field: 'query',
      call: (c) => c.memory.recallFacts(RecallFactsRequest.fromPartial({ userId: 'hostile', query: long(4097) })),
    },
    {
      name: 'RecallFacts huge limit',
      field: 'limit',
      call: (c) =>
        c.memory.recallFacts(RecallFactsRequest.fromPartial({ userId: 'hostile', query: 'tea', limit: MAX })),
    },

    ...userIdCases(
      'DeleteFacts',
      (userId) => (c) => c.memory.deleteFacts(DeleteFactsRequest.fromPartial({ userId, ids: [randomUUID()] })),
    ),
    {
      name: 'DeleteFacts no ids',
      field: 'ids',
      call: (c) => c.memory.deleteFacts(DeleteFactsRequest.fromPartial({ userId: 'hostile', ids: [] })),
    },
    {
      name: 'DeleteFacts invalid UUID',
      field: 'ids[0]',
      call: (c) => c.memory.deleteFacts(DeleteFactsRequest.fromPartial({ userId: 'hostile', ids: ["1' OR '1'='1"] })),
    },
    {
      name: 'DeleteFacts 1001 ids',
      field: 'ids',
      call: (c) =>
        c.memory.deleteFacts(
          DeleteFactsRequest.fromPartial({ userId: 'hostile', ids: Array.from({ length: 1001 }, () => randomUUID()) }),
        ),
    },

    ...userIdCases('AppendMessages', (userId) => append(e, { userId })),
    {
      name: 'AppendMessages invalid conversation_id',
      field: 'conversation_id',
      call: append(e, { conversationId: 'nope' }),
    },
    {
      name: 'AppendMessages unknown conversation_id',
      field: 'conversation',
      codes: ['NOT_FOUND'],
      call: append(e, { conversationId: randomUUID() }),
    },
    { name: 'AppendMessages no messages', field: 'messages', call: append(e, { messages: [] }) },
    {
      name: 'AppendMessages 101 messages',
      field: 'messages',
      call: append(e, { messages: Array(101).fill({ role: 'user', content: 'x' }) }),
    },
    { name: 'AppendMessages unknown role', field: 'messages[0].role', call: append(e, {}, { role: 'wizard' }) },
    { name: 'AppendMessages empty role', field: 'messages[0].role', call: append(e, {}, { role: '' }) },
    { name: 'AppendMessages empty content', field: 'messages[0].content', call: append(e, {}, { content: '' }) },
    {
      name: 'AppendMessages over-long content',
      field: 'messages[0].content',
      call: append(e, {}, { content: long(65_536) }),
    },
    {
      name: 'AppendMessages NUL in content',
      field: 'messages[0].content',
      call: append(e, {}, { content: 'a\u0000b' }),
    },
    {
      name: 'AppendMessages over-long title',
      field: 'title',
      call: append(e, { conversationId: '', title: long(257) }),
    },
    { name: 'AppendMessages NUL in title', field: 'title', call: append(e, { conversationId: '', title: 'a\u0000b' }) },

    ...userIdCases(
      'GetConversation',
      (userId) => (c) =>
        c.memory.getConversation(GetConversationRequest.fromPartial({ userId, conversationId: e.conversationId })),
    ),
    {
      name: 'GetConversation empty conversation_id',
      field: 'conversation_id',
      call: (c) => c.memory.getConversation(GetConversationRequest.fromPartial({ userId: 'hostile' })),
    },
    {
      name: 'GetConversation invalid conversation_id',
      field: 'conversation_id',
      call: (c) =>
        c.memory.getConversation(
          GetConversationRequest.fromPartial({ userId: 'hostile', conversationId: '../etc/passwd' }),
        ),
    },
    {
      name: 'GetConversation unknown conversation_id',
      field: 'conversation',
      codes: ['NOT_FOUND'],
      call: (c) =>
        c.memory.getConversation(
          GetConversationRequest.fromPartial({ userId: 'hostile', conversationId: randomUUID() }),
        ),
    },
    {
      name: "GetConversation another user's conversation",
      field: 'conversation',
      codes: ['NOT_FOUND'],
      call: (c) =>
        c.memory.getConversation(
          GetConversationRequest.fromPartial({ userId: 'intruder', conversationId: e.conversationId }),
        ),
    },
    {
      name: 'GetConversation huge page_size',
      field: 'page_size',
      call: (c) =>
        c.memory.getConversation(
          GetConversationRequest.fromPartial({ userId: 'hostile', conversationId: e.conversationId, pageSize: MAX }),
        ),
    },
    {
      name: 'GetConversation forged page_token',
      field: 'page_token',
      call: (c) =>
        c.memory.getConversation(
          GetConversationRequest.fromPartial({ userId: 'hostile', conversationId: e.conversationId, pageToken: '%%%' }),
        ),
    },

    ...userIdCases(
      'ListConversations',
      (userId) => (c) => c.memory.listConversations(ListConversationsRequest.fromPartial({ userId })),
    ),
    {
      name: 'ListConversations huge page_size',
      field: 'page_size',
      call: (c) =>
        c.memory.listConversations(ListConversationsRequest.fromPartial({ userId: 'hostile', pageSize: MAX })),
    },
    {
      name: 'ListConversations forged page_token',
      field: 'page_token',
      call: (c) =>
        c.memory.listConversations(
          ListConversationsRequest.fromPartial({ userId: 'hostile', pageToken: 'eyJ4IjoxfQ' }),
        ),
    },

    ...userIdCases(
      'GetUserStats',
      (userId) => (c) => c.memory.getUserStats(GetUserStatsRequest.fromPartial({ userId })),
    ),
    ...userIdCases('ForgetUser', (userId) => (c) => c.memory.forgetUser(ForgetUserRequest.fromPartial({ userId }))),

    { name: 'Search no query and no vector', field: 'query', call: search(e, { query: '' }) },
    { name: 'Search over-long query', field: 'query', call: search(e, { query: long(4097) }) },
    { name: 'Search NaN in vector', field: 'vector', call: search(e, { query: '', vector: nan }) },
    { name: 'Search Infinity in vector', field: 'vector', call: search(e, { query: '', vector: inf }) },
    {
      name: 'Search vector of the wrong dimension',
      field: 'vector',
      call: search(e, { query: '', vector: [0.1, 0.2, 0.3] }),
    },
    {
      name: 'Search unknown collection',
      field: 'nope_collection',
      codes: ['NOT_FOUND'],
      call: search(e, { collections: ['nope_collection'] }),
    },
    {
      name: 'Search invalid collection name',
      field: 'collections[0]',
      call: search(e, { collections: ['../../etc'] }),
    },
    {
      name: 'Search 1000 collections',
      field: 'collections',
      call: search(e, { collections: Array.from({ length: 1000 }, (_, i) => `c${i}`) }),
    },
    { name: 'Search huge limit', field: 'limit', call: search(e, { limit: MAX }) },
    { name: 'Search unknown rerank mode', field: 'rerank', call: search(e, { rerank: 99 }) },
    {
      name: 'Search unknown filter operator',
      field: 'filters[0].operator',
      call: search(e, { filters: [{ field: 'topic', operator: 99, values: ['a'] }] }),
    },
    {
      name: 'Search filter on an empty field',
      field: 'filters[0].field',
      call: search(e, { filters: [{ field: '', operator: 1, values: ['a'] }] }),
    },
    {
      name: 'Search filter field injection',
      field: 'filters[0].field',
      call: search(e, { filters: [{ field: 'a"] or 1==1 or metadata["b', operator: 1, values: ['a'] }] }),
    },
    {
      name: 'Search IN filter without values',
      field: 'filters[0].values',
      call: search(e, { filters: [{ field: 'topic', operator: 3, values: [] }] }),
    },
    {
      name: 'Search 10000 filter values',
      field: 'filters[0].values',
      call: search(e, { filters: [{ field: 'topic', operator: 3, values: Array(10_000).fill('a') }] }),
    },
    {
      name: 'Search 100 filters',
      field: 'filters',
      call: search(e, { filters: Array(100).fill({ field: 'topic', operator: 1, values: ['a'] }) }),
    },
    { name: 'Search invalid user_id', field: 'user_id', call: search(e, { userId: 'a b' }) },

    { name: 'UpsertDocuments empty collection', field: 'collection', call: upsert(e, { collection: '' }) },
    {
      name: 'UpsertDocuments invalid collection name',
      field: 'collection',
      call: upsert(e, { collection: 'drop table;' }),
    },
    { name: 'UpsertDocuments no documents', field: 'documents', call: upsert(e, { documents: [] }) },
    { name: 'UpsertDocuments empty id', field: 'documents[0].id', call: upsert(e, {}, { id: '' }) },
    { name: 'UpsertDocuments over-long id', field: 'documents[0].id', call: upsert(e, {}, { id: long(10_000) }) },
    { name: 'UpsertDocuments NUL in id', field: 'documents[0].id', call: upsert(e, {}, { id: 'a\u0000b' }) },
    { name: 'UpsertDocuments no text and no vector', field: 'documents[0]', call: upsert(e, {}, { text: '' }) },
    { name: 'UpsertDocuments NaN in vector', field: 'documents[0].vector', call: upsert(e, {}, { vector: nan }) },
    { name: 'UpsertDocuments all-zero vector', field: 'documents[0].vector', call: upsert(e, {}, { vector: zeros }) },
    {
      name: 'UpsertDocuments vector of the wrong dimension',
      field: 'documents[0].vector',
      call: upsert(e, {}, { vector: [1, 2, 3] }),
    },
    {
      name: 'UpsertDocuments 20 KiB metadata',
      field: 'documents[0].metadata',
      call: upsert(e, {}, { metadata: { blob: long(20_000) } }),
    },
    { name: 'UpsertDocuments metadata nested 40 deep', field: 'metadata', call: upsert(e, {}, { metadata: deep(40) }) },
    {
      name: 'UpsertDocuments 100000 documents',
      field: 'documents',
      codes: ['INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED'],
      call: upsert(e, { documents: Array.from({ length: 100_000 }, (_, i) => ({ id: `d${i}`, text: 't' })) }),
    },

    {
      name: 'DeleteDocuments unknown collection',
      field: 'nope_collection',
      codes: ['NOT_FOUND'],
      call: (c) =>
        c.search.deleteDocuments(DeleteDocumentsRequest.fromPartial({ collection: 'nope_collection', ids: ['a'] })),
    },
    {
      name: 'DeleteDocuments invalid collection',
      field: 'collection',
      call: (c) => c.search.deleteDocuments(DeleteDocumentsRequest.fromPartial({ collection: '', ids: ['a'] })),
    },
    {
      name: 'DeleteDocuments no ids',
      field: 'ids',
      call: (c) => c.search.deleteDocuments(DeleteDocumentsRequest.fromPartial({ collection: e.collection, ids: [] })),
    },
    {
      name: 'DeleteDocuments empty id',
      field: 'ids[0]',
      call: (c) =>
        c.search.deleteDocuments(DeleteDocumentsRequest.fromPartial({ collection: e.collection, ids: [''] })),
    },
    {
      name: 'DeleteDocuments NUL in id',
      field: 'ids[0]',
      call: (c) =>
        c.search.deleteDocuments(DeleteDocumentsRequest.fromPartial({ collection: e.collection, ids: ['a\u0000b'] })),
    },

    { name: 'UpsertGoldenAnswer empty question', field: 'question', call: golden({ question: '' }) },
    { name: 'UpsertGoldenAnswer over-long question', field: 'question', call: golden({ question: long(100_000) }) },
    { name: 'UpsertGoldenAnswer NUL in question', field: 'question', call: golden({ question: 'a\u0000b' }) },
    { name: 'UpsertGoldenAnswer empty answer', field: 'answer', call: golden({ answer: '' }) },
    { name: 'UpsertGoldenAnswer invalid id', field: 'id', call: golden({ id: 'not-a-uuid' }) },
    { name: 'UpsertGoldenAnswer 10000 sources', field: 'sources', call: golden({ sources: Array(10_000).fill('s') }) },
    {
      name: 'DeleteGoldenAnswer empty id',
      field: 'id',
      call: (c) => c.search.deleteGoldenAnswer(DeleteGoldenAnswerRequest.fromPartial({ id: '' })),
    },
    {
      name: 'DeleteGoldenAnswer invalid id',
      field: 'id',
      call: (c) => c.search.deleteGoldenAnswer(DeleteGoldenAnswerRequest.fromPartial({ id: "' OR 1=1 --" })),
    },
    {
      name: 'DeleteGoldenAnswer unknown id',
      field: 'golden answer',
      codes: ['NOT_FOUND'],
      call: (c) => c.search.deleteGoldenAnswer(DeleteGoldenAnswerRequest.fromPartial({ id: randomUUID() })),
    },
  ];
}
