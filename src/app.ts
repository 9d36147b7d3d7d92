import { sqlHealthProbe } from './adapters/sql/sql-health-probe';
import { createDomainServices } from './composition/domain-services';
import { openBackends } from './composition/open-backends';
import { describeDatabase } from './composition/open-sql-client';
import { vectorStoreDir } from './composition/open-vector-store';
import type { Config } from './config';
import { contextWithTimeout } from './domain/context';
import { INTERNAL_COLLECTION_NAMES } from './domain/internal-collections';
import type { HealthProbe } from './domain/ports';
import { MemoryServiceService } from './gen/recall/v1/memory';
import { SearchServiceService } from './gen/recall/v1/search';
import { memoryHandlers } from './grpc/memory-handlers';
import { createRpcRuntime } from './grpc/rpc-runtime';
import { searchHandlers } from './grpc/search-handlers';
import { type GrpcServer, type GrpcServerOptions, createGrpcServer } from './grpc/server';
import type { Logger } from './observability/logger';
import { type Metrics, createMetrics } from './observability/metrics';
import { checkReadiness, createSidecar } from './observability/sidecar';

const HEALTH_INTERVAL_MS = 5_000;

/**
 * The composition root: opens the backends the configuration names (or the embedded
 * default) through src/composition, wires domain, gRPC and the sidecar. Adapters are built
 * only here and in src/composition (the dependency rules in .dependency-cruiser.cjs check it).
 */
export async function createApp(config: Config, logger: Logger, options: { metrics?: Metrics } = {}) {
  const metrics = options.metrics ?? createMetrics(config.metricsPrefix);
  const backends = await openBackends(config, metrics, logger);
  const { database, vectorStore, embedder, reranker } = backends;
  const { search, memory, sweeper } = createDomainServices(config, backends, metrics, logger);

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

  // Named by what answers: postgres or pglite, milvus or the embedded vector store.
  const databaseProbe = sqlHealthProbe(database, database.kind);
  const vectorStoreProbe: HealthProbe = {
    name: config.milvusAddress ? 'milvus' : 'vectors',
    check: (ctx) => vectorStore.ping(ctx),
  };
  const probes = [databaseProbe, vectorStoreProbe];
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
    const databaseUp = readiness.checks[databaseProbe.name]?.ok ?? false;
    const vectorStoreUp = readiness.checks[vectorStoreProbe.name]?.ok ?? false;
    server.setStatus('recall.v1.MemoryService', databaseUp ? 'SERVING' : 'NOT_SERVING');
    server.setStatus('recall.v1.SearchService', databaseUp && vectorStoreUp ? 'SERVING' : 'NOT_SERVING');
    server.setStatus('', readiness.ready ? 'SERVING' : 'NOT_SERVING');
  };

  let stopped: Promise<void> | undefined;
  return {
    /** Prepares internal collections, binds both ports and starts serving. */
    async start(): Promise<{ grpcPort: number; metricsPort: number }> {
      const ctx = contextWithTimeout(60_000);
      for (const name of INTERNAL_COLLECTION_NAMES) await vectorStore.ensureCollection(name, embedder.dimension, ctx);
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
