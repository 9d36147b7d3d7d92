import { backgroundContext } from '../../../src/domain/context';
import type { SearchInput, SearchOptionsInput, SearchServiceDeps } from '../../../src/domain/search';
import { createSearchService } from '../../../src/domain/search';
import { createMetrics } from '../../../src/observability/metrics';
import { createBreaker } from '../../../src/resilience/breaker';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { FakeGoldenAnswerRepository } from '../../support/fakes/fake-golden-answer-repository';
import { FakeReranker } from '../../support/fakes/fake-reranker';
import { FakeVectorStore } from '../../support/fakes/fake-vector-store';

/** A search service over fresh fakes, with real metrics and real breakers. */
export function buildSearch(options: SearchOptionsInput = {}, deps: Partial<SearchServiceDeps> = {}) {
  const store = new FakeVectorStore();
  const embedder = new FakeEmbedder();
  const reranker = new FakeReranker();
  const golden = new FakeGoldenAnswerRepository();
  const metrics = createMetrics('test_', { processMetrics: false });
  const service = createSearchService(
    {
      vectorStore: store,
      embedder,
      reranker,
      goldenAnswers: golden,
      metrics,
      createBreaker: (o) => createBreaker(o, metrics),
      ...deps,
    },
    { defaultCollections: ['docs'], ...options },
  );
  return { service, store, embedder, reranker, golden, metrics };
}

/** A search request with harmless defaults; `query: undefined` asks for one without text. */
export function searchRequest(
  overrides: Omit<Partial<SearchInput>, 'query'> & { query?: string | undefined } = {},
): SearchInput {
  const { query, ...rest } = 'query' in overrides ? overrides : { ...overrides, query: 'how do circuit breakers work' };
  return {
    ...(query !== undefined && { query }),
    collections: [],
    limit: 10,
    filters: [],
    rerank: 'auto',
    skipGoldenAnswer: false,
    goldenAnswerOnly: false,
    ...rest,
  };
}

/** The value of an unlabelled counter, or of one label set. */
export async function counterValue(
  metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, unknown> }> }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return match?.value ?? 0;
}

export const ctx = backgroundContext;
