import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { toGrpcStatus } from '../error-status';
import type { RpcCall, RpcMethod } from './middleware';

/**
 * Adapts `run` (a pipeline ending in a handler) to grpc-js's `(call, callback)` shape. Every
 * call ends in `callback`: the response, or the status toGrpcStatus makes of whatever was
 * thrown, even synchronously (grpc-js itself would leave the caller waiting).
 */
export function grpcJsHandler<Req, Res>(method: RpcMethod, run: (call: RpcCall<Req>) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const rpcCall: RpcCall<Req> = {
      method,
      request: call.request,
      metadata: call.metadata,
      getDeadline: () => call.getDeadline(),
      sendMetadata: (metadata) => call.sendMetadata(metadata),
      onCancelled(listener) {
        call.on('cancelled', listener);
        return () => call.removeListener('cancelled', listener);
      },
    };
    Promise.resolve()
      .then(() => run(rpcCall))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error).error),
      );
  };
}

/** Splits `/package.Service/Method` into its parts (empty strings when it does not match). */
export function parseMethodPath(path: string): RpcMethod {
  const [, service = '', name = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return { path, service, name };
}
