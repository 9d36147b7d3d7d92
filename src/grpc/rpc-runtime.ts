import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  Metadata,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import type { CallContext } from '../domain/context';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { toGrpcStatus } from './error-status';

/** What a handler knows of its call: the domain's context plus a request id and logger. */
export interface RpcContext extends CallContext {
  readonly requestId: string;
  readonly log: Logger;
}

/** A unary handler: `async (request, context) => response`; anything thrown becomes a status. */
export type UnaryHandler<Req, Res> = (request: Req, ctx: RpcContext) => Promise<Res>;

/** Handlers for every method of a generated service definition, keyed like the definition. */
export type Handlers<D> = {
  [K in keyof D]: D[K] extends {
    requestDeserialize: (b: Buffer) => infer Req;
    responseSerialize: (r: infer Res) => Buffer;
  }
    ? UnaryHandler<Req, Res>
    : never;
};

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The single wrapper every RPC runs through: request id, auth, deadline and cancellation as
 * a CallContext, metrics (grpc_server_*), a log line per call, in-flight tracking for a
 * graceful drain, and the mapping of every error to a status.
 */
export function createRpcRuntime(deps: { metrics: Metrics; logger: Logger; authTokens: readonly string[] }) {
  const { metrics, logger } = deps;
  const tokens = deps.authTokens.map((t) => Buffer.from(t));
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const authorised = (md: Metadata): boolean => {
    if (tokens.length === 0) return true;
    const header = md.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
    if (!match?.[1]) return false;
    const given = Buffer.from(match[1]);
    return tokens.some((t) => t.length === given.length && timingSafeEqual(t, given));
  };

  function wrap<Req, Res>(path: string, handler: UnaryHandler<Req, Res>) {
    const [, grpcService = '', grpcMethod = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    const labels = { grpc_type: 'unary', grpc_service: grpcService, grpc_method: grpcMethod };
    metrics.grpcStarted.inc(labels, 0);
    metrics.grpcHandled.inc({ ...labels, grpc_code: 'OK' }, 0);

    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      const started = process.hrtime.bigint();
      metrics.grpcStarted.inc(labels);
      inFlight += 1;
      const givenId = call.metadata.get('x-request-id')[0];
      const requestId = typeof givenId === 'string' && REQUEST_ID.test(givenId) ? givenId : randomUUID();
      const log = logger.child({ requestId, method: `${grpcService}/${grpcMethod}` });
      const responseMetadata = new Metadata();
      responseMetadata.set('x-request-id', requestId);
      call.sendMetadata(responseMetadata);

      const controller = new AbortController();
      const onCancel = () => controller.abort();
      call.on('cancelled', onCancel);
      const deadline = toEpochMs(call.getDeadline());
      const timer =
        Number.isFinite(deadline) && deadline - Date.now() < 2 ** 31 - 1
          ? setTimeout(() => controller.abort(), Math.max(0, deadline - Date.now()))
          : undefined;
      timer?.unref();
      const ctx: RpcContext = { deadline, signal: controller.signal, requestId, log };

      const finish = (code: status) => {
        clearTimeout(timer);
        call.removeListener('cancelled', onCancel);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const codeName = status[code] ?? String(code);
        metrics.grpcHandled.inc({ ...labels, grpc_code: codeName });
        metrics.grpcHandlingSeconds.observe(labels, seconds);
        log.info({ code: codeName, ms: Math.round(seconds * 1e4) / 10 }, 'rpc');
        inFlight -= 1;
        if (inFlight === 0) idle?.();
      };

      const run = async (): Promise<Res> => {
        if (!authorised(call.metadata)) {
          throw Object.assign(new Error('unauthenticated'), { grpcCode: status.UNAUTHENTICATED });
        }
        return handler(call.request, ctx);
      };
      run().then(
        (response) => {
          callback(null, response);
          finish(status.OK);
        },
        (error: unknown) => {
          if ((error as { grpcCode?: status }).grpcCode === status.UNAUTHENTICATED) {
            callback({ code: status.UNAUTHENTICATED, details: 'missing or invalid bearer token' });
            finish(status.UNAUTHENTICATED);
            return;
          }
          const mapped = toGrpcStatus(error);
          if (mapped.logCause) log.error({ err: error }, 'rpc failed');
          callback(mapped.error);
          finish(mapped.error.code);
        },
      );
    };
  }

  return {
    /** Builds a grpc-js implementation of `definition` from async handlers. */
    implement<D extends ServiceDefinition>(definition: D, handlers: Handlers<D>): UntypedServiceImplementation {
      const impl: UntypedServiceImplementation = {};
      for (const key of Object.keys(definition) as Array<keyof D & string>) {
        const method = definition[key];
        const handler = handlers[key] as UnaryHandler<unknown, unknown> | undefined;
        if (!method || !handler) throw new Error(`no handler for ${String(key)}`);
        impl[key] = wrap(method.path, handler);
      }
      return impl;
    },
    /** Calls in progress. */
    inFlight: () => inFlight,
    /** Resolves when no call is in progress. */
    whenIdle(): Promise<void> {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        idle = resolve;
      });
    },
  };
}

/** The runtime type; see {@link createRpcRuntime}. */
export type RpcRuntime = ReturnType<typeof createRpcRuntime>;

function toEpochMs(deadline: Date | number): number {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && ms > 0 ? ms : Number.POSITIVE_INFINITY;
}
