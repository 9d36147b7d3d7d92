import type { Config } from '../config';
import type { MemoryService } from '../domain/memory';
import type { SearchService } from '../domain/search';
import { MemoryServiceService } from '../gen/recall/v1/memory';
import { SearchServiceService } from '../gen/recall/v1/search';
import { memoryHandlers } from '../grpc/memory-handlers';
import { createRpcRuntime } from '../grpc/rpc-runtime';
import { searchHandlers } from '../grpc/search-handlers';
import { type GrpcServer, type GrpcServerOptions, createGrpcServer } from '../grpc/server';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

/** The gRPC services recall serves (besides health and reflection). */
const MEMORY_SERVICE = 'recall.v1.MemoryService';
const SEARCH_SERVICE = 'recall.v1.SearchService';

/**
 * recall's gRPC surface: the server with health and reflection, and the RPC runtime
 * (middleware, guarded decoders). It is built before the domain services exist, because it
 * needs no backend (see createApp); `serve` then adds the two services.
 */
export function prepareGrpcSurface(config: Config, metrics: Metrics, logger: Logger) {
  const runtime = createRpcRuntime({ metrics, logger, authTokens: config.security.authTokens });
  const server: GrpcServer = createGrpcServer({
    host: config.host,
    port: config.grpcPort,
    maxMessageBytes: config.maxMessageBytes,
    ...serverTls(config.security),
    serviceNames: [MEMORY_SERVICE, SEARCH_SERVICE],
  });
  return {
    server,
    /** Adds MemoryService and SearchService, answered by the domain services. */
    serve(services: { memory: MemoryService; search: SearchService }): void {
      server.addService(MEMORY_SERVICE, runtime.service(MemoryServiceService, memoryHandlers(services.memory)));
      server.addService(SEARCH_SERVICE, runtime.service(SearchServiceService, searchHandlers(services.search)));
    },
    /** Sets the health statuses: each service's, and the overall one (''). */
    setServing(serving: { memory: boolean; search: boolean; overall: boolean }): void {
      const status = (up: boolean) => (up ? 'SERVING' : 'NOT_SERVING');
      server.setStatus(MEMORY_SERVICE, status(serving.memory));
      server.setStatus(SEARCH_SERVICE, status(serving.search));
      server.setStatus('', status(serving.overall));
    },
  };
}

/** The surface type; see {@link prepareGrpcSurface}. */
export type GrpcSurface = ReturnType<typeof prepareGrpcSurface>;

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
