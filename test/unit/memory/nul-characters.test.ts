import { backgroundContext } from '../../../src/domain/context';
import { InvalidArgumentError } from '../../../src/domain/errors';
import type { FactIndex } from '../../../src/domain/memory/fact-index';
import { createMemoryService } from '../../../src/domain/memory/memory-service';
import { createPageTokenCodec } from '../../../src/domain/memory/page-token';
import { SearchRequest, UpsertDocumentsRequest, UpsertGoldenAnswerRequest } from '../../../src/gen/recall/v1/search';
import { searchHandlers } from '../../../src/grpc/search-handlers';
import { FakeMemoryRepository } from '../../support/fakes/fake-memory-repository';
import { buildSearch } from '../search/search-fixture';

/**
 * Regression: U+0000 reached PostgreSQL, which refused it with its own error (field `value`).
 * The rules modules refuse it first, naming the field, so PostgreSQL and PGlite answer alike
 * and nothing is written.
 */
const NUL = '\u0000';
const ctx = backgroundContext();
const NUL_RULE = /NUL character \(U\+0000\)/;

async function violationOf(call: () => Promise<unknown>) {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidArgumentError);
  const [violation] = (error as InvalidArgumentError).violations;
  expect(violation?.description).toMatch(NUL_RULE);
  return violation?.field;
}

describe('NUL characters in memory requests', () => {
  const noIndex: FactIndex = {
    embed: async (contents) => contents.map(() => [1, 0]),
    put: async () => undefined,
    remove: async () => 0,
    removeUser: async () => 0,
    recall: async () => [],
  };
  const repository = new FakeMemoryRepository();
  const memory = createMemoryService({ repository, factIndex: noIndex, pageTokens: createPageTokenCodec() });
  const fact = (over: Record<string, unknown>) => ({ content: 'ok', source: '', confidence: 0, metadata: {}, ...over });
  const addFacts = (f: ReturnType<typeof fact>) => () => memory.addFacts({ userId: 'u1', facts: [f] }, ctx);
  const append =
    (content: string, title = '') =>
    () =>
      memory.appendMessages({ userId: 'u1', conversationId: '', messages: [{ role: 'user', content }], title }, ctx);

  it.each([
    ['facts[0].content', addFacts(fact({ content: `a${NUL}b` }))],
    ['facts[0].source', addFacts(fact({ source: `web${NUL}` }))],
    ['facts[0].metadata', addFacts(fact({ metadata: { tag: `x${NUL}` } }))],
    ['facts[0].metadata', addFacts(fact({ metadata: { [`k${NUL}`]: 1 } }))],
    ['facts[0].metadata', addFacts(fact({ metadata: { list: [{ deep: NUL }] } }))],
    ['messages[0].content', append(`hi${NUL}`)],
    ['title', append('hi', `t${NUL}`)],
    ['query', () => memory.recallFacts({ userId: 'u1', query: `q${NUL}`, limit: 0 }, ctx)],
  ])('refuses U+0000 in %s, writing nothing', async (field, call) => {
    expect(await violationOf(call)).toBe(field);
    expect(repository.facts).toHaveLength(0);
  });

  it('still accepts the text "\\u0000" spelled out', async () => {
    await memory.addFacts({ userId: 'u1', facts: [fact({ content: 'escape \\u0000 shown literally' })] }, ctx);
    expect(repository.facts).toHaveLength(1);
  });
});

describe('NUL characters in search requests', () => {
  // The real search service over fakes of its ports: its validation refuses before any store is used.
  const { service, store, golden: goldenAnswers } = buildSearch();
  const handlers = searchHandlers(service);
  const rpc = backgroundContext() as Parameters<typeof handlers.search>[1];
  const upsert = (doc: Record<string, unknown>) => () =>
    handlers.upsertDocuments(
      UpsertDocumentsRequest.fromPartial({ collection: 'docs', documents: [{ id: 'a', text: 't', ...doc }] }),
      rpc,
    );
  const golden = (over: Partial<UpsertGoldenAnswerRequest>) => () =>
    handlers.upsertGoldenAnswer(UpsertGoldenAnswerRequest.fromPartial({ question: 'q', answer: 'a', ...over }), rpc);

  it.each([
    ['documents[0].text', upsert({ text: `t${NUL}` })],
    ['documents[0].metadata', upsert({ metadata: { k: `v${NUL}` } })],
    ['question', golden({ question: `q${NUL}` })],
    ['answer', golden({ answer: `a${NUL}` })],
    ['sources[1]', golden({ sources: ['ok', `s${NUL}`] })],
    ['query', () => handlers.search(SearchRequest.fromPartial({ query: `q${NUL}` }), rpc)],
  ])('refuses U+0000 in %s before any store is used', async (field, call) => {
    store.calls.length = 0;
    goldenAnswers.calls.length = 0;
    expect(await violationOf(call)).toBe(field);
    expect(store.calls).toEqual([]);
    expect(goldenAnswers.calls).toEqual([]);
  });
});
