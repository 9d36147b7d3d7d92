import type { Logger } from '../../observability/logger';
import { undecodableError } from '../guarded-definition';
import type { Middleware } from './middleware';

/**
 * Ends a call whose request could not be decoded (see guardDefinition) with the caller's
 * INVALID_ARGUMENT, logged at warn: it runs inside the metrics and logging steps, so the call
 * is counted in grpc_server_handled_total and has its `rpc` line like any other.
 */
export function undecodableRequestMiddleware(): Middleware<{ log: Logger }> {
  return async (call, context, next) => {
    const error = undecodableError(call.request);
    if (error) {
      context.log.warn({ violations: error.violations }, 'undecodable request');
      throw error;
    }
    return next(context);
  };
}
