import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import type { Middleware } from './middleware';

/** What a caller may send as `x-request-id`; anything else is replaced, never echoed. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every call a request id: the caller's `x-request-id` when it is well formed, a new
 * UUID otherwise. The id goes back in the response headers, the call's answer or failure
 * alike. They are sent as the call ends, so headers, message and status leave in one write
 * rather than two (docs/performance.md).
 */
export function requestIdMiddleware(): Middleware<object, { requestId: string }> {
  return (call, context, next) => {
    const given = call.metadata.get('x-request-id')[0];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    const headers = new Metadata();
    headers.set('x-request-id', requestId);
    const send = () => call.sendMetadata(headers);
    return next({ ...context, requestId }).then(
      (response) => {
        send();
        return response;
      },
      (error: unknown) => {
        send();
        throw error;
      },
    );
  };
}
