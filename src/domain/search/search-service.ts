import type { BreakerFactory } from '../breaker';
import type { CallContext } from '../context';
import type { EmbeddingSpaceGuard } from '../embedding-spaces';
import { isInternalCollection } from '../internal-collections';
import type { Embedder, GoldenAnswer, GoldenAnswerRepository, MemoryRepository, Reranker, VectorStore } from '../ports';
import { type CollectionBreakers, createCollectionBreakers } from './collection-breakers';
import { createCollectionQuota } from './collection-quota';
import { createDocumentWriter } from './document-writer';
import { createGoldenAnswerStage } from './golden-answers/golden-answer-stage';
import { createQueryEmbedder } from './query-embedder';
import { runSearch } from './search-flow';
import { type SearchLogger, type SearchMetrics, msSince, now, silentLogger } from './search-observability';
import { type SearchOptions, type SearchOptionsInput, resolveSearchOptions } from './search-options';
import type {
  CollectionBreakerState,
  CollectionInfo,
  DocumentInput,
  GoldenAnswerInput,
  SearchInput,
  SearchResult,
} from './search-types';
import {
  validateDeleteDocuments,
  validateGoldenAnswer,
  validateGoldenAnswerId,
  validateSearch,
  validateUpsertDocuments,
} from './search-validation';

/** The ports and observers the search service is built from. */
export interface SearchServiceDeps {
  vectorStore: VectorStore;
  embedder: Embedder;
  reranker: Reranker;
  goldenAnswers: GoldenAnswerRepository;
  /** Counts searches made on a user's behalf (best effort). */
  memory?: Pick<MemoryRepository, 'recordSearch'>;
  metrics?: SearchMetrics;
  logger?: SearchLogger;
  /** Builds each collection's breaker (the composition root binds it to metrics). */
  createBreaker: BreakerFactory;
  /** Keeps vectors of different models apart; unchecked without it (unit tests). */
  spaces?: EmbeddingSpaceGuard;
}

/** SearchService's use cases, called by the gRPC layer with the caller's context. */
export interface SearchService {
  readonly options: Readonly<SearchOptions>;
  /** Runs a search; see runSearch for the flow and fan-out.ts for how failures surface. */
  search(request: SearchInput, ctx: CallContext): Promise<SearchResult>;
  /** Upserts into a public collection; resolves to the ids in input order. */
  upsertDocuments(collection: string, documents: DocumentInput[], ctx: CallContext): Promise<string[]>;
  /** Deletes by id from a public collection; resolves to how many existed. */
  deleteDocuments(collection: string, ids: string[], ctx: CallContext): Promise<number>;
  /** Public collections by name, with size, dimension and breaker state. */
  listCollections(ctx: CallContext): Promise<CollectionInfo[]>;
  /** Creates or replaces a golden answer and indexes its question. */
  upsertGoldenAnswer(input: GoldenAnswerInput, ctx: CallContext): Promise<{ answer: GoldenAnswer; created: boolean }>;
  /** NotFoundError when there is none with this id. */
  deleteGoldenAnswer(id: string, ctx: CallContext): Promise<void>;
  /** Every collection breaker created so far (internal collections included). */
  breakerStates(): CollectionBreakerState[];
  /** Names of the collections whose breaker is open, for readiness. */
  openCollections(): string[];
  /** Stops the breakers' timers; safe to call twice. */
  close(): void;
}

/** Builds the search service; `options` fall back to DEFAULT_SEARCH_OPTIONS. */
export function createSearchService(deps: SearchServiceDeps, options: SearchOptionsInput = {}): SearchService {
  const resolved = Object.freeze(resolveSearchOptions(options));
  const { vectorStore, embedder, metrics } = deps;
  const { logger, breakers, documents, golden, flow } = buildParts(deps, resolved);

  const recordSearch = (userId: string, ctx: CallContext) => {
    deps.memory?.recordSearch(userId, ctx).catch((error: unknown) => {
      logger.warn({ err: error, userId }, 'could not count a search in the user statistics');
    });
  };

  return {
    options: resolved,

    async search(request, ctx) {
      const start = now();
      try {
        const search = validateSearch(request, resolved, embedder.dimension);
        if (request.userId) recordSearch(request.userId, ctx);
        return await runSearch(flow, search, ctx);
      } finally {
        metrics?.pipelineDuration.observe(msSince(start) / 1000);
      }
    },

    async upsertDocuments(collection, docs, ctx) {
      validateUpsertDocuments(collection, docs, embedder.dimension);
      return documents.upsert(collection, docs, ctx);
    },
    async deleteDocuments(collection, ids, ctx) {
      validateDeleteDocuments(collection, ids);
      return documents.delete(collection, ids, ctx);
    },

    listCollections: (ctx) => listPublicCollections(vectorStore, deps.spaces, breakers, ctx),

    async upsertGoldenAnswer(input, ctx) {
      validateGoldenAnswer(input);
      return golden.upsert(input, ctx);
    },
    async deleteGoldenAnswer(id, ctx) {
      validateGoldenAnswerId(id);
      await golden.delete(id, ctx);
    },

    breakerStates: () => breakers.states(),
    openCollections: () =>
      breakers
        .states()
        .filter((s) => s.state === 'open')
        .map((s) => s.collection),
    close: () => breakers.shutdown(),
  };
}

/** The parts the use cases run on: collection breakers, document writer, golden answers, search flow. */
function buildParts(deps: SearchServiceDeps, resolved: Readonly<SearchOptions>) {
  const { vectorStore, embedder, metrics } = deps;
  const logger = deps.logger ?? silentLogger;
  const breakers = createCollectionBreakers(deps.createBreaker, resolved.breaker, (collection) => {
    metrics?.vectorSearchDuration.remove({ collection });
    metrics?.lexicalSearchDuration?.remove({ collection });
  });
  const { spaces } = deps;
  const documents = createDocumentWriter({
    vectorStore,
    embedder,
    breakers,
    spaces,
    quota: createCollectionQuota(vectorStore, resolved.maxCollections, (name) => breakers.has(name)),
  });
  const golden = createGoldenAnswerStage({
    repository: deps.goldenAnswers,
    vectorStore,
    embedder,
    breakers,
    options: resolved,
    logger,
    spaces,
  });
  const flow = {
    vectorStore,
    reranker: deps.reranker,
    queryEmbedder: createQueryEmbedder(embedder, metrics, resolved.embeddingTimeoutMs),
    goldenAnswers: golden.lookup,
    spaces,
    breakers,
    options: resolved,
    ...(metrics && { metrics }),
    logger,
  };

  return { logger, breakers, documents, golden, flow };
}

/** Public collections (internal ones hidden) with their embedding space and breaker state. */
async function listPublicCollections(
  vectorStore: VectorStore,
  spaces: EmbeddingSpaceGuard | undefined,
  breakers: CollectionBreakers,
  ctx: CallContext,
): Promise<CollectionInfo[]> {
  const [all, recorded] = await Promise.all([
    vectorStore.listCollections(ctx),
    spaces?.recorded(ctx) ?? new Map<string, string>(),
  ]);
  return all
    .filter((c) => !isInternalCollection(c.name))
    .map((c) => ({
      embeddingSpace: recorded.get(c.name) ?? '',
      name: c.name,
      documentCount: c.count,
      dimension: c.dimension,
      breakerState: breakers.state(c.name),
      lexical: c.lexical ?? false,
    }));
}
