import { createSqlEmbeddingSpaceRepository } from '../adapters/sql/embedding-space-repository';
import { createSnapshotCache } from '../adapters/sql/fact-term-snapshots';
import { createSqlLexicalFactIndex } from '../adapters/sql/fact-terms';
import { createSqlGoldenAnswerRepository } from '../adapters/sql/golden-answer-repository';
import { createSqlMemoryRepository } from '../adapters/sql/memory-repository';
import type { Config } from '../config';
import { createEmbeddingSpaceGuard } from '../domain/embedding-spaces';
import { INTERNAL_COLLECTIONS } from '../domain/internal-collections';
import { createFactIndex, createFactSweeper, createMemoryService, createPageTokenCodec } from '../domain/memory';
import { type SearchOptionsInput, createSearchService } from '../domain/search';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { createBreaker } from '../resilience/breaker';
import type { Backends } from './open-backends';

/**
 * The two use-case services over the opened backends, and the memory's expiry sweeper (not
 * started): the search service with its golden answers, the memory service with its dense and
 * lexical fact indexes, both guarded by one embedding-space check.
 */
export function createDomainServices(config: Config, backends: Backends, metrics: Metrics, logger: Logger) {
  const { database, vectorStore, embedder } = backends;
  const memoryRepository = createSqlMemoryRepository(database);
  const spaces = createEmbeddingSpaceGuard({ repository: createSqlEmbeddingSpaceRepository(database), embedder });
  const factIndex = createFactIndex({
    vectorStore,
    embedder: backends.memoryEmbedder,
    collection: INTERNAL_COLLECTIONS.userFacts,
    spaces,
  });
  const search = createSearchService(
    {
      vectorStore,
      embedder,
      reranker: backends.reranker,
      goldenAnswers: createSqlGoldenAnswerRepository(database),
      memory: memoryRepository,
      metrics,
      logger,
      createBreaker: (o) => createBreaker(o, metrics),
      spaces,
    },
    searchOptions(config),
  );
  const memory = createMemoryService({
    repository: memoryRepository,
    pageTokens: createPageTokenCodec(),
    factIndex,
    lexicalIndex: createSqlLexicalFactIndex(
      database,
      createSnapshotCache({ maxPostings: config.memory.lexicalCachePostings }),
    ),
    recall: {
      retrieval: config.memoryRetrievalMode,
      fusion: { method: config.search.fusion, rrfK: config.search.rrfK, denseWeight: config.search.fusionWeight },
    },
    logger,
    recencyHalfLifeDays: config.memory.recencyHalfLifeDays,
  });
  const sweeper = createFactSweeper({
    repository: memoryRepository,
    factIndex,
    logger,
    options: { intervalMs: config.memory.sweepIntervalMs, batchSize: config.memory.sweepBatchSize },
    onSweep: (report) => {
      metrics.factsSwept.inc(report.deleted);
      metrics.factSweepDuration.observe(report.durationSeconds);
      metrics.factSweepLastRun.set(Date.now() / 1000);
    },
  });
  return { search, memory, sweeper };
}

/** The search service's options, from the configuration. */
function searchOptions(config: Config): SearchOptionsInput {
  const { search } = config;
  return {
    defaultCollections: [...search.defaultCollections],
    earlyExitScore: search.earlyExitScore,
    earlyExitEnabled: search.earlyExitEnabled,
    earlyExitSignal: search.earlyExitSignal,
    earlyExitThreshold: search.earlyExitThreshold,
    fusionDepth: search.fusionDepth,
    rerankCandidates: search.rerankCandidates,
    // The built-in reranker helps only the built-in embedder's dense-only hits (docs/retrieval-quality.md).
    lexicalRerankDense: config.embedding.url === undefined,
    fanOut: search.fanOut,
    perCollectionTimeoutMs: search.collectionTimeoutMs,
    embeddingTimeoutMs: search.embeddingTimeoutMs,
    maxCollections: search.maxCollections,
    goldenAnswerThreshold: search.goldenAnswerThreshold,
    goldenAnswerCollection: INTERNAL_COLLECTIONS.goldenAnswers,
    rerankMinBudgetMs: search.rerankMinBudgetMs,
    retrieval: search.retrievalMode,
    fusion: search.fusion,
    rrfK: search.rrfK,
    fusionDenseWeight: search.fusionWeight,
    breaker: { ...config.breaker },
  };
}
