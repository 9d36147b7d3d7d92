import { readFileSync } from 'node:fs';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { addReflection } from './reflection';

export interface GrpcServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  tls?: { certFile: string; keyFile: string; clientCaFile?: string };
  /** The full names of the services that `addService` will add, for their health statuses. */
  serviceNames: string[];
}

/**
 * The gRPC server: the services, grpc.health.v1 (overall and per service) and reflection,
 * with keepalive and message-size limits. It is built before the services' implementations
 * exist (they need the backends); each named service is added with `addService` before
 * `start()`, which returns the bound port (0 picks one).
 */
export function createGrpcServer(options: GrpcServerOptions) {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes,
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
    'grpc.max_connection_idle_ms': 15 * 60_000,
  });
  const names = options.serviceNames;
  const missing = new Set(names);
  const health = new HealthImplementation(
    Object.fromEntries([['', 'NOT_SERVING'], ...names.map((n) => [n, 'NOT_SERVING'])]) as Record<string, ServingStatus>,
  );
  health.addToServer(server);
  addReflection(server);

  let stopped = false;
  let boundPort: number | undefined;

  return {
    /** Adds one of the named services (before start). */
    addService(
      name: string,
      service: { definition: ServiceDefinition; implementation: UntypedServiceImplementation },
    ): void {
      if (!missing.delete(name))
        throw new Error(`gRPC service ${name} is not named in serviceNames or was added twice`);
      server.addService(service.definition, service.implementation);
    },

    /** Binds and starts serving; resolves to the bound port. Every named service must have been added. */
    async start(): Promise<number> {
      if (boundPort !== undefined) return boundPort;
      if (missing.size > 0) throw new Error(`gRPC services never added: ${[...missing].join(', ')}`);
      const credentials = serverCredentials(options.tls);
      const address = options.host.includes(':')
        ? `[${options.host}]:${options.port}`
        : `${options.host}:${options.port}`;
      boundPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port)));
      });
      return boundPort;
    },

    /** Sets the health status of one service ('' is the overall status). */
    setStatus(service: string, status: ServingStatus): void {
      health.setStatus(service, status);
    },

    /** Sets every status at once. */
    setAllStatuses(status: ServingStatus): void {
      for (const name of ['', ...names]) health.setStatus(name, status);
    },

    /**
     * Stops accepting calls and lets in-flight ones finish for up to `graceMs`, then cancels
     * what is left. Safe to call twice.
     */
    async stop(graceMs: number): Promise<void> {
      if (stopped) return;
      stopped = true;
      this.setAllStatuses('NOT_SERVING');
      await shutDown(server, graceMs);
    },
  };
}

/** TLS credentials (mutual when a client CA is given), or none. */
function serverCredentials(tls: GrpcServerOptions['tls']): ServerCredentials {
  return tls
    ? ServerCredentials.createSsl(
        tls.clientCaFile ? readFileSync(tls.clientCaFile) : null,
        [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
        Boolean(tls.clientCaFile),
      )
    : ServerCredentials.createInsecure();
}

/** Lets in-flight calls finish for up to `graceMs`, then cancels what is left. */
function shutDown(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The server type; see {@link createGrpcServer}. */
export type GrpcServer = ReturnType<typeof createGrpcServer>;
