import { backgroundContext } from '../../../src/domain/context';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { SEARCH_LIMITS } from '../../../src/domain/search';
import {
  DeleteDocumentsRequest,
  type Document,
  FilterOperator,
  type MetadataFilter,
  RerankMode,
  SearchRequest,
  UpsertDocumentsRequest,
  UpsertGoldenAnswerRequest,
} from '../../../src/gen/recall/v1/search';
import { searchHandlers } from '../../../src/grpc/search-handlers';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { buildSearch } from './search-fixture';

/**
 * Each SearchService limit at its boundary, through the gRPC handlers into the search module's
 * validation: exactly at the limit the call passes, one past it fails with INVALID_ARGUMENT
 * naming the field, and no store is read or written.
 */

const L = SEARCH_LIMITS;
// The real search service over fakes of its ports: a 2-d embedder, so the tests' small vectors fit.
const { service, store, golden: goldenAnswers } = buildSearch({}, { embedder: new FakeEmbedder(2) });
const handlers = searchHandlers(service);
const ctx = backgroundContext() as Parameters<typeof handlers.search>[1];

/**
 * The fields a call's INVALID_ARGUMENT names, after checking that nothing was read or written;
 * [] when the request passed validation (the fakes may still fail it later, on a collection
 * that does not exist, say).
 */
async function fieldsOf(call: () => Promise<unknown>): Promise<string[]> {
  store.calls.length = 0;
  goldenAnswers.calls.length = 0;
  try {
    await call();
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) return [];
    expect(store.calls).toEqual([]);
    expect(goldenAnswers.calls).toEqual([]);
    return error.violations.map((v) => v.field);
  }
  return [];
}

const search = (p: Partial<SearchRequest>) =>
  fieldsOf(() => handlers.search(SearchRequest.fromPartial({ query: 'q', ...p }), ctx));
const filter = (p: Partial<MetadataFilter>): MetadataFilter => ({
  field: 'f',
  operator: FilterOperator.FILTER_OPERATOR_EQ,
  values: ['x'],
  ...p,
});
const doc = (p: Partial<Document> = {}): Document => ({ id: 'a', text: 't', metadata: {}, vector: [], ...p });
const upsert = (documents: Document[], collection = 'docs') =>
  fieldsOf(() => handlers.upsertDocuments(UpsertDocumentsRequest.fromPartial({ collection, documents }), ctx));
const remove = (ids: string[], collection = 'docs') =>
  fieldsOf(() => handlers.deleteDocuments(DeleteDocumentsRequest.fromPartial({ collection, ids }), ctx));
const golden = (p: Partial<UpsertGoldenAnswerRequest>) =>
  fieldsOf(() =>
    handlers.upsertGoldenAnswer(UpsertGoldenAnswerRequest.fromPartial({ question: 'q', answer: 'a', ...p }), ctx),
  );
const ids = (n: number) => Array.from({ length: n }, (_, i) => `id${i}`);
/** Metadata whose JSON is exactly `bytes` long. */
const metadataOfBytes = (bytes: number) => ({ k: 'x'.repeat(bytes - '{"k":""}'.length) });
/** Metadata nested `depth` levels deep, the object itself being level 1. */
const metadataOfDepth = (depth: number) => {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { k: value };
  return value;
};

describe('Search request limits', () => {
  test.each([
    ['query', { query: 'q'.repeat(L.queryMaxLength) }, { query: 'q'.repeat(L.queryMaxLength + 1) }],
    [
      'collections',
      { collections: Array.from({ length: L.collectionsPerSearch }, (_, i) => `c${i}`) },
      { collections: Array.from({ length: L.collectionsPerSearch + 1 }, (_, i) => `c${i}`) },
    ],
    [
      'collections[0]',
      { collections: [`c${'x'.repeat(L.collectionNameMaxLength - 1)}`] },
      { collections: [`c${'x'.repeat(L.collectionNameMaxLength)}`] },
    ],
    [
      'filters',
      { filters: Array.from({ length: L.filtersPerSearch }, () => filter({})) },
      { filters: Array.from({ length: L.filtersPerSearch + 1 }, () => filter({})) },
    ],
    [
      'filters[0].values',
      { filters: [filter({ operator: FilterOperator.FILTER_OPERATOR_IN, values: ids(L.valuesPerFilter) })] },
      { filters: [filter({ operator: FilterOperator.FILTER_OPERATOR_IN, values: ids(L.valuesPerFilter + 1) })] },
    ],
    [
      'filters[0].field',
      { filters: [filter({ field: `_${'f'.repeat(L.filterFieldMaxLength - 1)}` })] },
      { filters: [filter({ field: `_${'f'.repeat(L.filterFieldMaxLength)}` })] },
    ],
    ['user_id', { userId: 'u'.repeat(128) }, { userId: 'u'.repeat(129) }],
  ])('%s: at the limit passes, one past fails naming it', async (field, atLimit, past) => {
    expect(await search(atLimit)).toEqual([]);
    expect(await search(past)).toEqual([field]);
  });

  test('retrieval and fusion must be known enum values; UNSPECIFIED and the named ones pass', async () => {
    expect(await search({ retrieval: 3, fusion: 2, rrfK: 10 })).toEqual([]);
    expect(await search({ retrieval: 0, fusion: 0 })).toEqual([]);
    expect(await search({ retrieval: 9 as never, fusion: 7 as never })).toEqual(['retrieval', 'fusion']);
  });

  test('a collection name must start with a letter; "_" names are internal and refused here', async () => {
    expect(await search({ collections: ['9docs', 'docs-2', '_user_facts', 'docs_2'] })).toEqual([
      'collections[0]',
      'collections[1]',
      'collections[2]',
    ]);
    await expect(handlers.search(SearchRequest.fromPartial({ query: 'q', collections: ['_x'] }), ctx)).rejects.toThrow(
      /reserved for internal collections/,
    );
  });

  test('filters: known operators, the right number of values, numbers for ordering', async () => {
    const bad = [
      filter({ operator: 99 as FilterOperator }),
      filter({ operator: FilterOperator.FILTER_OPERATOR_UNSPECIFIED }),
      filter({ values: ['a', 'b'] }),
      filter({ operator: FilterOperator.FILTER_OPERATOR_NOT_IN, values: [] }),
      filter({ operator: FilterOperator.FILTER_OPERATOR_GT, values: ['1'] }),
      filter({ values: [{ nested: true }] }),
      filter({ field: '1f' }),
    ];
    expect(await search({ filters: bad })).toEqual([
      'filters[0].operator',
      'filters[1].operator',
      'filters[2].values',
      'filters[3].values',
      'filters[4].values[0]',
      'filters[5].values[0]',
      'filters[6].field',
    ]);
  });

  test('a vector must hold finite numbers, not all zeros; an empty one means none', async () => {
    expect(await search({ vector: [] })).toEqual([]);
    expect(await search({ vector: [0, 1] })).toEqual([]);
    expect(await search({ vector: [0, 0] })).toEqual(['vector']);
    expect(await search({ vector: [1, Number.NaN] })).toEqual(['vector']);
  });

  test('an unknown rerank mode is refused', async () => {
    expect(await search({ rerank: 42 as RerankMode })).toEqual(['rerank']);
    expect(await search({ rerank: RerankMode.RERANK_MODE_NEVER })).toEqual([]);
  });

  test('every bad field is named in one error: enums do not hide limit, rrf_k or a missing query (issue 16)', async () => {
    expect(
      await search({
        query: '',
        collections: ['_user_facts'],
        limit: L.limitMax + 1,
        rerank: 42 as RerankMode,
        retrieval: 9 as never,
        fusion: 7 as never,
        rrfK: 1001,
      }),
    ).toEqual(['query', 'limit', 'rerank', 'retrieval', 'fusion', 'rrf_k', 'collections[0]']);
    expect(await search({ query: '', retrieval: 3, limit: L.limitMax + 1 })).toEqual(['query', 'limit', 'query']);
  });
});

describe('UpsertDocuments and DeleteDocuments limits', () => {
  test('documents per call: 1 to the limit', async () => {
    const docs = (n: number) => ids(n).map((id) => doc({ id }));
    expect(await upsert(docs(L.documentsPerCall))).toEqual([]);
    expect(await upsert(docs(L.documentsPerCall + 1))).toEqual(['documents']);
    expect(await upsert([])).toEqual(['documents']);
    expect(await remove(ids(L.documentsPerCall))).toEqual([]);
    expect(await remove(ids(L.documentsPerCall + 1))).toEqual(['ids']);
    expect(await remove([])).toEqual(['ids']);
  });

  test('an id is 1 to the limit in UTF-8 bytes, not characters (what the Milvus key holds)', async () => {
    const max = L.documentIdMaxBytes;
    expect(await upsert([doc({ id: 'i'.repeat(max) })])).toEqual([]);
    expect(await upsert([doc({ id: 'i'.repeat(max + 1) })])).toEqual(['documents[0].id']);
    expect(await upsert([doc({ id: 'é'.repeat(max / 2) })])).toEqual([]);
    expect(await upsert([doc({ id: 'é'.repeat(max / 2 + 1) })])).toEqual(['documents[0].id']);
    expect(await upsert([doc({ id: '' })])).toEqual(['documents[0].id']);
    expect(await upsert([doc({ id: 'a' }), doc({ id: 'a' })])).toEqual(['documents[1].id']);
    expect(await remove(['i'.repeat(max), 'é'.repeat(max / 2 + 1), ''])).toEqual(['ids[1]', 'ids[2]']);
  });

  test('an id may not hold U+0000, in an upsert or a delete (issue 16)', async () => {
    expect(await upsert([doc({ id: 'a\u0000b' })])).toEqual(['documents[0].id']);
    expect(await remove(['ok', '\u0000'])).toEqual(['ids[1]']);
  });

  test('text is not blank and at most the limit in UTF-8 bytes', async () => {
    const max = L.documentTextMaxBytes;
    expect(await upsert([doc({ text: 't'.repeat(max) })])).toEqual([]);
    expect(await upsert([doc({ text: 't'.repeat(max + 1) })])).toEqual(['documents[0].text']);
    expect(await upsert([doc({ text: ' \n' })])).toEqual(['documents[0].text']);
  });

  test('metadata is at most the limit as JSON and nested at most the depth limit', async () => {
    expect(await upsert([doc({ metadata: metadataOfBytes(L.metadataMaxBytes) })])).toEqual([]);
    expect(await upsert([doc({ metadata: metadataOfBytes(L.metadataMaxBytes + 1) })])).toEqual([
      'documents[0].metadata',
    ]);
    expect(await upsert([doc({ metadata: metadataOfDepth(L.metadataMaxDepth) })])).toEqual([]);
    expect(await upsert([doc({ metadata: metadataOfDepth(L.metadataMaxDepth + 1) })])).toEqual([
      'documents[0].metadata',
    ]);
  });

  test('a vector, when given, holds finite numbers and is not all zeros', async () => {
    expect(await upsert([doc({ vector: [0.5, 0] })])).toEqual([]);
    expect(await upsert([doc({ vector: [0, 0] }), doc({ id: 'b', vector: [Number.POSITIVE_INFINITY] })])).toEqual([
      'documents[0].vector',
      'documents[1].vector',
    ]);
  });

  test('internal and malformed collection names are refused, naming `collection`', async () => {
    for (const name of ['_golden_answers', '_user_facts', '', '1docs', `d${'x'.repeat(L.collectionNameMaxLength)}`]) {
      expect(await upsert([doc()], name)).toEqual(['collection']);
      expect(await remove(['a'], name)).toEqual(['collection']);
    }
    expect(await upsert([doc()], `d${'x'.repeat(L.collectionNameMaxLength - 1)}`)).toEqual([]);
  });
});

describe('UpsertGoldenAnswer limits', () => {
  test.each([
    [
      'question',
      { question: 'q'.repeat(L.goldenQuestionMaxLength) },
      { question: 'q'.repeat(L.goldenQuestionMaxLength + 1) },
    ],
    ['answer', { answer: 'a'.repeat(L.goldenAnswerMaxLength) }, { answer: 'a'.repeat(L.goldenAnswerMaxLength + 1) }],
    ['sources', { sources: ids(L.goldenSourcesMax) }, { sources: ids(L.goldenSourcesMax + 1) }],
    [
      'sources[0]',
      { sources: ['s'.repeat(L.goldenSourceMaxLength)] },
      { sources: ['s'.repeat(L.goldenSourceMaxLength + 1)] },
    ],
  ])('%s: at the limit passes, one past fails naming it', async (field, atLimit, past) => {
    expect(await golden(atLimit)).toEqual([]);
    expect(await golden(past)).toEqual([field]);
  });

  test('question and answer are required; an id, when given, is a UUID', async () => {
    expect(await golden({ question: ' ', answer: '' })).toEqual(['question', 'answer']);
    expect(await golden({ id: 'not-a-uuid' })).toEqual(['id']);
    expect(await golden({ id: '3f2b8c1e-5d4a-4c3b-9a2e-1f0e9d8c7b6a' })).toEqual([]);
  });
});
