import { createSqlEmbeddingSpaceRepository } from './adapters/sql/embedding-space-repository';
import { createSqlLexicalFactIndex } from './adapters/sql/fact-terms';
import { createSqlGoldenAnswerRepository } from './adapters/sql/golden-answer-repository';
import { createSqlMemoryRepository } from './adapters/sql/memory-repository';
import { sqlHealthProbe } from './adapters/sql/sql-health-probe';
import { openBackends } from './composition/open-backends';
import { describeDatabase } from './composition/open-sql-client';
import { vectorStoreDir } from './composition/open-vector-store';
import type { Config } from './config';
import { contextWithTimeout } from './domain/context';
import { createEmbeddingSpaceGuard } from './domain/embedding-spaces';
import { INTERNAL_COLLECTIONS, INTERNAL_COLLECTION_NAMES } from './domain/internal-collections';
import { createFactIndex, createFactSweeper, createMemoryService, createPageTokenCodec } from './domain/memory';
import type { HealthProbe } from './domain/ports';
import { createSearchService } from './domain/search';
import { MemoryServiceService } from './gen/recall/v1/memory';
import { SearchServiceService } from './gen/recall/v1/search';
import { memoryHandlers } from './grpc/memory-handlers';
import { createRpcRuntime } from './grpc/rpc-runtime';
import { searchHandlers } from './grpc/search-handlers';
import { type GrpcServer, type GrpcServerOptions, createGrpcServer } from './grpc/server';
import type { Logger } from './observability/logger';
import { type Metrics, createMetrics } from './observability/metrics';
import { checkReadiness, createSidecar } from './observability/sidecar';
import { createBreaker } from './resilience/breaker';

const HEALTH_INTERVAL_MS = 5_000;

/**
 * The composition root: opens the backends the configuration names (or the embedded
 * default) through src/composition, wires domain, gRPC and the sidecar. Adapters are built
 * only here and in src/composition (the dependency rules in .dependency-cruiser.cjs check it).
 */
export async function createApp(config: Config, logger: Logger, options: { metrics?: Metrics } = {}) {
  const metrics = options.metrics ?? createMetrics(config.metricsPrefix);
  const backends = await openBackends(config, metrics, logger);
  const { sql, vectors, embedder, reranker } = backends;

  const memoryRepository = createSqlMemoryRepository(sql);
  const spaces = createEmbeddingSpaceGuard({ repository: createSqlEmbeddingSpaceRepository(sql), embedder });
  const factIndex = createFactIndex({
    vectorStore: vectors,
    embedder: backends.memoryEmbedder,
    collection: INTERNAL_COLLECTIONS.userFacts,
    spaces,
  });
  const search = createSearchService(
    {
      vectorStore: vectors,
      embedder,
      reranker,
      goldenAnswers: createSqlGoldenAnswerRepository(sql),
      memory: memoryRepository,
      metrics,
      logger,
      createBreaker: (o) => createBreaker(o, metrics),
      spaces,
    },
    {
      defaultCollections: [...config.search.defaultCollections],
      earlyExitScore: config.search.earlyExitScore,
      earlyExitEnabled: config.search.earlyExitEnabled,
      earlyExitSignal: config.search.earlyExitSignal,
      earlyExitThreshold: config.search.earlyExitThreshold,
      fusionDepth: config.search.fusionDepth,
      rerankCandidates: config.search.rerankCandidates,
      // The built-in reranker helps only the built-in embedder's dense-only hits (docs/retrieval-quality.md).
      lexicalRerankDense: config.embedding.url === undefined,
      fanOut: config.search.fanOut,
      perCollectionTimeoutMs: config.search.collectionTimeoutMs,
      embeddingTimeoutMs: config.search.embeddingTimeoutMs,
      maxCollections: config.search.maxCollections,
      goldenAnswerThreshold: config.search.goldenAnswerThreshold,
      goldenAnswerCollection: INTERNAL_COLLECTIONS.goldenAnswers,
      rerankMinBudgetMs: config.search.rerankMinBudgetMs,
      retrieval: config.search.retrievalMode,
      fusion: config.search.fusion,
      rrfK: config.search.rrfK,
      fusionDenseWeight: config.search.fusionWeight,
      breaker: { ...config.breaker },
    },
  );
  const memory = createMemoryService({
    repository: memoryRepository,
    pageTokens: createPageTokenCodec(),
    factIndex,
    lexicalIndex: createSqlLexicalFactIndex(sql),
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

  const runtime = createRpcRuntime({ metrics, logger, authTokens: config.security.authTokens });
  const server: GrpcServer = createGrpcServer({
    host: config.host,
    port: config.grpcPort,
    maxMessageBytes: config.maxMessageBytes,
    ...serverTls(config.security),
    services: [
      { name: 'recall.v1.MemoryService', ...runtime.service(MemoryServiceService, memoryHandlers(memory)) },
      { name: 'recall.v1.SearchService', ...runtime.service(SearchServiceService, searchHandlers(search)) },
    ],
  });

  const postgresProbe = sqlHealthProbe(sql, 'postgres');
  const vectorProbe: HealthProbe = {
    name: config.milvusAddress ? 'milvus' : 'vectors',
    check: (ctx) => vectors.ping(ctx),
  };
  const probes = [postgresProbe, vectorProbe];
  let shuttingDown = false;
  const sidecar = createSidecar({
    host: config.host,
    port: config.metricsPort,
    metrics,
    probes,
    isShuttingDown: () => shuttingDown,
    logger,
    // Not a readiness failure: every replica shares the model, and searches degrade without it.
    degraded: (): Record<string, string> => {
      const state = backends.embedderGuard.breaker.state();
      return state === 'closed' ? {} : { embedder: state };
    },
  });

  let healthTimer: NodeJS.Timeout | undefined;
  const refreshHealth = async () => {
    const readiness = await checkReadiness(probes);
    if (shuttingDown) return;
    const dbUp = readiness.checks[postgresProbe.name]?.ok ?? false;
    const vectorsUp = readiness.checks[vectorProbe.name]?.ok ?? false;
    server.setStatus('recall.v1.MemoryService', dbUp ? 'SERVING' : 'NOT_SERVING');
    server.setStatus('recall.v1.SearchService', dbUp && vectorsUp ? 'SERVING' : 'NOT_SERVING');
    server.setStatus('', readiness.ready ? 'SERVING' : 'NOT_SERVING');
  };

  let stopped: Promise<void> | undefined;
  return {
    /** Prepares internal collections, binds both ports and starts serving. */
    async start(): Promise<{ grpcPort: number; metricsPort: number }> {
      const ctx = contextWithTimeout(60_000);
      for (const name of INTERNAL_COLLECTION_NAMES) await vectors.ensureCollection(name, embedder.dimension, ctx);
      const metricsPort = await sidecar.start();
      const grpcPort = await server.start();
      await refreshHealth();
      healthTimer = setInterval(() => {
        refreshHealth().catch((error: unknown) => logger.warn({ err: error }, 'health refresh failed'));
      }, HEALTH_INTERVAL_MS);
      healthTimer.unref();
      sweeper.start();
      return { grpcPort, metricsPort };
    },

    /**
     * Health NOT_SERVING, stop accepting calls, let in-flight calls finish within the grace
     * period, then close the backends and the sidecar. Safe to call twice.
     */
    stop(): Promise<void> {
      stopped ??= (async () => {
        shuttingDown = true;
        clearInterval(healthTimer);
        await server.stop(config.shutdownGraceMs);
        await sweeper.stop();
        search.close();
        await backends.close();
        await sidecar.stop();
      })();
      return stopped;
    },

    /** Which backends are in use, safe to log (no secrets). */
    describe() {
      return {
        database: describeDatabase(config),
        vectors: config.milvusAddress ? `milvus:${config.milvusAddress}` : `embedded:${vectorStoreDir(config)}`,
        embedder: embedder.name,
        reranker: reranker.name,
      };
    },

    metrics,
  };
}

/** The application type; see {@link createApp}. */
export type App = Awaited<ReturnType<typeof createApp>>;

/** The server's `tls` option when TLS_CERT_FILE is set; absent (plaintext) otherwise. */
function serverTls(security: Config['security']): Pick<GrpcServerOptions, 'tls'> {
  if (!security.tlsCertFile) return {};
  return {
    tls: {
      certFile: security.tlsCertFile,
      keyFile: security.tlsKeyFile ?? '',
      ...(security.tlsClientCaFile !== undefined && { clientCaFile: security.tlsClientCaFile }),
    },
  };
}
