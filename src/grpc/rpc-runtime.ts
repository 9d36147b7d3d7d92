import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CallContext } from '../domain/context';
import type { TokenGrant } from '../domain/token-scopes';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { guardDefinition, loadMessageRegistry } from './guarded-definition';
import { authMiddleware } from './middleware/auth';
import { requiredScope } from './middleware/auth-scopes';
import { deadlineMiddleware } from './middleware/deadline';
import { grpcJsHandler, parseMethodPath } from './middleware/grpc-js-handler';
import { loggingMiddleware } from './middleware/logging';
import { metricsMiddleware, registerMethodMetrics } from './middleware/metrics';
import { pipeline } from './middleware/middleware';
import { requestIdMiddleware } from './middleware/request-id';
import { undecodableRequestMiddleware } from './middleware/undecodable-request';

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

/**
 * The chain every RPC runs through, outermost first: request id (so every later step and the
 * caller have it), metrics, logging (both see the final status, including auth failures),
 * authentication and the method's token scope, a request that could not be decoded (INVALID_ARGUMENT, see guardDefinition),
 * then the caller's deadline and cancellation as the domain's CallContext.
 * The grpc-js adapter maps whatever escapes to a status via toGrpcStatus.
 */
export function createRpcRuntime(deps: { metrics: Metrics; logger: Logger; authTokens: readonly TokenGrant[] }) {
  const chain = pipeline()
    .use(requestIdMiddleware())
    .use(metricsMiddleware(deps.metrics))
    .use(loggingMiddleware(deps.logger))
    .use(authMiddleware(deps.authTokens, deps.metrics))
    .use(undecodableRequestMiddleware())
    .use(deadlineMiddleware());
  const registry = loadMessageRegistry();

  return {
    /** Builds a grpc-js implementation of `definition` from async handlers. */
    implement<D extends ServiceDefinition>(definition: D, handlers: Handlers<D>): UntypedServiceImplementation {
      const impl: UntypedServiceImplementation = {};
      for (const key of Object.keys(definition) as Array<keyof D & string>) {
        const definitionOfMethod = definition[key];
        const handler = handlers[key] as UnaryHandler<unknown, unknown> | undefined;
        if (!definitionOfMethod || !handler) throw new Error(`no handler for ${String(key)}`);
        const method = parseMethodPath(definitionOfMethod.path);
        // Fail at start-up, not at the first call, for a method nobody gave a scope.
        if (!requiredScope(method)) throw new Error(`no scope for ${method.service}/${method.name} in RPC_SCOPES`);
        registerMethodMetrics(deps.metrics, method);
        impl[key] = grpcJsHandler(method, (call) => chain.run(call, handler));
      }
      return impl;
    },

    /**
     * The service to add to the server: `definition` with guarded request deserializers
     * (see guardDefinition) and its implementation from `handlers`.
     */
    service<D extends ServiceDefinition>(definition: D, handlers: Handlers<D>) {
      return {
        definition: guardDefinition(definition, registry),
        implementation: this.implement(definition, handlers),
      };
    },
  };
}

/** The runtime type; see {@link createRpcRuntime}. */
export type RpcRuntime = ReturnType<typeof createRpcRuntime>;
