import { InterceptingCall, type Interceptor, type StatusObject, status } from '@grpc/grpc-js';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';

/** Methods whose UNIMPLEMENTED the SDK's interceptor lets through (they fall back on it). */
const UNIMPLEMENTED_SEEN = new Set(['AlterCollectionSchema', 'ClientHeartbeat']);

/**
 * What the SDK's retry interceptor does when it may not retry (`maxRetries: 0`), without
 * what it does besides: it `JSON.stringify`s every request (a search's vector and its
 * placeholder bytes, number by number) and every answer (a search's hits with their text
 * and metadata) for a debug line built whether or not it is logged — 14 % of the server's
 * CPU on a one-collection Search (docs/performance.md, "Search through recall on Milvus").
 * Kept: the answer is handed on when the status arrives, and UNIMPLEMENTED (except for the
 * methods above) comes back as OK with an empty message, as the SDK's callers expect.
 */
export const leanNoRetryInterceptor: Interceptor = (options, nextCall) => {
  const path = options.method_definition.path;
  const method = path.slice(path.lastIndexOf('/') + 1);
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      let message: unknown;
      let messageNext: ((message: unknown) => void) | undefined;
      next(metadata, {
        onReceiveMessage(received: unknown, nextMessage: (message: unknown) => void) {
          message = received;
          messageNext ??= nextMessage;
        },
        onReceiveStatus(received: StatusObject, nextStatus: (status: StatusObject) => void) {
          if (received.code === status.UNIMPLEMENTED && !UNIMPLEMENTED_SEEN.has(method)) {
            message = {};
            received.code = status.OK;
          }
          messageNext?.(message);
          nextStatus(received);
        },
      });
    },
  });
};

/**
 * Swaps the SDK's retry interceptor for leanNoRetryInterceptor on a client made with
 * `maxRetries: 0`. The SDK (3.0.x) appends its retry interceptor last to
 * `channelOptions.interceptors`, an array its gRPC clients hold by reference, so the swap
 * reaches clients already made. Returns whether it swapped: a client whose options do not
 * have that shape is left as it is.
 */
export function dropSdkRetryInterceptor(client: MilvusClient): boolean {
  const options = (client as unknown as { channelOptions?: { interceptors?: unknown } }).channelOptions;
  const interceptors = options?.interceptors;
  if (!Array.isArray(interceptors) || interceptors.length < 2) return false;
  const last = interceptors[interceptors.length - 1];
  if (typeof last !== 'function' || !String(last).includes('retryCount')) return false;
  interceptors[interceptors.length - 1] = leanNoRetryInterceptor;
  return true;
}
