import path from 'node:path';
import { createCachedEmbedder } from './adapters/embedders/cached-embedder';
import { createHttpEmbedder } from './adapters/embedders/http-embedder';
import { createLocalEmbedder } from './adapters/embedders/local-embedder';
import { openPgliteClient } from './adapters/pglite/pglite-client';
import { openPostgresClient } from './adapters/postgres/postgres-client';
import { redactUrl } from './adapters/postgres/redact-url';
import { createHttpReranker } from './adapters/rerankers/http-reranker';
import { createLexicalReranker } from './adapters/rerankers/lexical-reranker';
import { createSqlGoldenAnswerRepository } from './adapters/sql/golden-answer-repository';
import { createSqlMemoryRepository } from './adapters/sql/memory-repository';
import type { SqlClient } from './adapters/sql/sql-client';
import { sqlHealthProbe } from './adapters/sql/sql-health-probe';
import { openVectorStore } from './adapters/vector-store-factory';
import type { Config } from './config';
import { backgroundContext, contextWithTimeout } from './domain/context';
import { createMemoryService } from './domain/memory/memory-service';
import { createPageTokenCodec } from './domain/memory/page-token';
import type { Embedder, HealthProbe, Reranker, VectorStore } from './domain/ports';
import { INTERNAL_COLLECTIONS, INTERNAL_COLLECTION_NAMES, createFactIndex, createSearchService } from './domain/search';
import { MemoryServiceService } from './gen/recall/v1/memory';
import { SearchServiceService } from './gen/recall/v1/search';
import { memoryHandlers } from './grpc/memory-handlers';
import { createRpcRuntime } from './grpc/rpc-runtime';
import { searchHandlers } from './grpc/search-handlers';
import { type GrpcServer, createGrpcServer } from './grpc/server';
import { migrate } from './migrations/migrator';
import type { Logger } from './observability/logger';
import { type Metrics, createMetrics } from './observability/metrics';
import { checkReadiness, createSidecar } from './observability/sidecar';
import { createBreaker } from './resilience/breaker';

const HEALTH_INTERVAL_MS = 5_000;

/** Backends chosen from the configuration, opened and ready. */
interface Backends {
  sql: SqlClient;
  vectors: VectorStore;
  embedder: Embedder;
  reranker: Reranker;
  closers: Array<() => unknown>;
}

/**
 * The composition root: opens the backends the configuration names (or the embedded
 * default), runs migrations, wires domain, gRPC and the sidecar. Nothing else constructs
 * adapters.
 */
export async function createApp(config: Config, logger: Logger, options: { metrics?: Metrics } = {}) {
  const metrics = options.metrics ?? createMetrics(config.metricsPrefix);
  const backends = await openBackends(config, metrics, logger);
  const { sql, vectors, embedder, reranker } = backends;

  const memoryRepository = createSqlMemoryRepository(sql);
  const factIndex = createFactIndex({ vectorStore: vectors, embedder, collection: INTERNAL_COLLECTIONS.userFacts });
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
    },
    {
      defaultCollections: [...config.search.defaultCollections],
      earlyExitScore: config.search.earlyExitScore,
      earlyExitEnabled: config.search.earlyExitEnabled,
      fanOut: config.search.fanOut,
      perCollectionTimeoutMs: config.search.collectionTimeoutMs,
      goldenAnswerThreshold: config.search.goldenAnswerThreshold,
      goldenAnswerCollection: INTERNAL_COLLECTIONS.goldenAnswers,
      rerankMinBudgetMs: config.search.rerankMinBudgetMs,
    },
  );
  const memory = createMemoryService({
    repository: memoryRepository,
    pageTokens: createPageTokenCodec(),
    factIndex,
    logger,
  });

  const runtime = createRpcRuntime({ metrics, logger, authTokens: config.security.authTokens });
  const server: GrpcServer = createGrpcServer({
    host: config.host,
    port: config.grpcPort,
    maxMessageBytes: config.maxMessageBytes,
    tls: config.security.tlsCertFile
      ? {
          certFile: config.security.tlsCertFile,
          keyFile: config.security.tlsKeyFile ?? '',
          clientCaFile: config.security.tlsClientCaFile,
        }
      : undefined,
    services: [
      {
        name: 'recall.v1.MemoryService',
        definition: MemoryServiceService,
        implementation: runtime.implement(MemoryServiceService, memoryHandlers(memory)),
      },
      {
        name: 'recall.v1.SearchService',
        definition: SearchServiceService,
        implementation: runtime.implement(SearchServiceService, searchHandlers(search)),
      },
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
        search.close();
        for (const close of backends.closers.reverse()) {
          try {
            await close();
          } catch (error) {
            logger.warn({ err: error }, 'closing a backend failed');
          }
        }
        await sidecar.stop();
      })();
      return stopped;
    },

    /** Which backends are in use, safe to log (no secrets). */
    describe() {
      return {
        database: config.databaseUrl ? redactUrl(config.databaseUrl) : `pglite:${path.join(config.dataDir, 'pglite')}`,
        vectors: config.milvusAddress
          ? `milvus:${config.milvusAddress}`
          : `embedded:${path.join(config.dataDir, 'vectors')}`,
        embedder: embedder.name,
        reranker: reranker.name,
      };
    },

    metrics,
  };
}

/** The application type; see {@link createApp}. */
export type App = Awaited<ReturnType<typeof createApp>>;

async function openBackends(config: Config, metrics: Metrics, logger: Logger): Promise<Backends> {
  const closers: Array<() => unknown> = [];
  try {
    // The embedded store locks DATA_DIR, so a second process on the same folder stops here,
    // before it opens (and could disturb) the embedded database.
    const vectors = await openVectorStore(config, backgroundContext());
    closers.push(() => vectors.close());

    const sql: SqlClient = config.databaseUrl
      ? await openPostgresClient({
          connectionString: config.databaseUrl,
          poolMin: config.pgPoolMin,
          poolMax: config.pgPoolMax,
          statementTimeoutMs: config.pgStatementTimeoutMs,
          connectionTimeoutMs: config.pgConnectTimeoutMs,
          metrics,
          logger,
        })
      : await openPgliteClient({ dataDir: path.join(config.dataDir, 'pglite'), metrics });
    closers.push(() => sql.close());
    if (config.migrateOnStart) {
      const { applied } = await migrate(sql);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }

    const base = config.embedding.url
      ? createHttpEmbedder(
          {
            url: config.embedding.url,
            model: config.embedding.model,
            apiKey: config.embedding.apiKey,
            dimension: config.embedding.dimension,
            timeoutMs: config.embedding.timeoutMs,
          },
          metrics,
        )
      : createLocalEmbedder({ dimension: config.embedding.dimension });
    if ('close' in base) closers.push(() => (base as { close(): void }).close());
    const embedder =
      config.embedding.cacheSize > 0
        ? createCachedEmbedder(base, { maxEntries: config.embedding.cacheSize }, metrics)
        : base;

    const reranker = config.rerank.url
      ? createHttpReranker(
          {
            url: config.rerank.url,
            format: config.rerank.format,
            model: config.rerank.model,
            apiKey: config.rerank.apiKey,
            timeoutMs: config.rerank.timeoutMs,
          },
          metrics,
        )
      : createLexicalReranker();
    if ('close' in reranker) closers.push(() => (reranker as { close(): void }).close());

    return { sql, vectors, embedder, reranker, closers };
  } catch (error) {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    throw error;
  }
}
