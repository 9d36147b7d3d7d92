import { sqlHealthProbe } from './adapters/sql/sql-health-probe';
import { createDomainServices } from './composition/domain-services';
import type { GrpcSurface } from './composition/grpc-surface';
import type * as GrpcSurfaceModule from './composition/grpc-surface';
import { type Backends, openBackends } from './composition/open-backends';
import { describeDatabase } from './composition/open-sql-client';
import { vectorStoreDir } from './composition/open-vector-store';
import type { Config } from './config';
import { contextWithTimeout } from './domain/context';
import { defined } from './domain/errors';
import { INTERNAL_COLLECTION_NAMES } from './domain/internal-collections';
import type { HealthProbe } from './domain/ports';
import type { Logger } from './observability/logger';
import { type Metrics, createMetrics } from './observability/metrics';
import { checkReadiness, createSidecar } from './observability/sidecar';

const HEALTH_INTERVAL_MS = 5_000;

/**
 * The gRPC surface, loaded on first use: its modules (grpc-js, protobuf descriptors,
 * reflection, health) take a few hundred ms to load and build, and createApp does that while
 * the embedded database boots on its own thread instead of before it.
 */
function loadGrpcSurface(config: Config, metrics: Metrics, logger: Logger): GrpcSurface {
  const { prepareGrpcSurface } = require('./composition/grpc-surface') as typeof GrpcSurfaceModule;
  return prepareGrpcSurface(config, metrics, logger);
}

/**
 * The composition root: opens the backends the configuration names (or the embedded
 * default) through src/composition, wires domain, gRPC and the sidecar. Adapters are built
 * only here and in src/composition (the dependency rules in .dependency-cruiser.cjs check it).
 */
export async function createApp(config: Config, logger: Logger, options: { metrics?: Metrics } = {}) {
  const metrics = options.metrics ?? createMetrics(config.metricsPrefix);
  let surface: GrpcSurface | undefined;
  const backends = await openBackends(config, metrics, logger, {
    whileDatabaseOpens: () => {
      surface = loadGrpcSurface(config, metrics, logger);
    },
  });
  // openBackends runs whileDatabaseOpens on every path that returns.
  const grpc = defined<GrpcSurface>(surface, 'the gRPC surface');
  const { vectorStore, embedder } = backends;
  const { search, memory, sweeper } = createDomainServices(config, backends, metrics, logger);
  grpc.serve({ memory, search });
  const { server } = grpc;

  const { databaseProbe, vectorStoreProbe } = backendProbes(config, backends);
  const probes = [databaseProbe, vectorStoreProbe];
  let shuttingDown = false;
  const sidecar = createSidecar({
    host: config.host,
    port: config.metricsPort,
    metrics,
    probes,
    isShuttingDown: () => shuttingDown,
    logger,
    degraded: () => degradedModels(backends),
  });

  let healthTimer: NodeJS.Timeout | undefined;
  const refreshHealth = async () => {
    const readiness = await checkReadiness(probes);
    if (shuttingDown) return;
    const databaseUp = readiness.checks[databaseProbe.name]?.ok ?? false;
    const vectorStoreUp = readiness.checks[vectorStoreProbe.name]?.ok ?? false;
    grpc.setServing({ memory: databaseUp, search: databaseUp && vectorStoreUp, overall: readiness.ready });
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
    describe: () => describeBackends(config, backends),

    metrics,
  };
}

/** The readiness probes, named by what answers: postgres or pglite, milvus or the embedded vector store. */
function backendProbes(
  config: Config,
  backends: Backends,
): { databaseProbe: HealthProbe; vectorStoreProbe: HealthProbe } {
  return {
    databaseProbe: sqlHealthProbe(backends.database, backends.database.kind),
    vectorStoreProbe: {
      name: config.milvusAddress ? 'milvus' : 'vectors',
      check: (ctx) => backends.vectorStore.ping(ctx),
    },
  };
}

/**
 * Models running degraded (the embedder's breaker not closed). Not a readiness failure: every
 * replica shares the model, and searches degrade without it.
 */
function degradedModels(backends: Backends): Record<string, string> {
  const state = backends.embedderGuard.breaker.state();
  return state === 'closed' ? {} : { embedder: state };
}

/** What App.describe reports. */
function describeBackends(config: Config, backends: Backends) {
  return {
    database: describeDatabase(config),
    vectors: config.milvusAddress ? `milvus:${config.milvusAddress}` : `embedded:${vectorStoreDir(config)}`,
    embedder: backends.embedder.name,
    reranker: backends.reranker.name,
  };
}

/** The application type; see {@link createApp}. */
export type App = Awaited<ReturnType<typeof createApp>>;
