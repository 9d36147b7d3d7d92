import type { Logger } from '../../observability/logger';
import { toGrpcStatus } from '../error-status';
import type { Middleware } from './middleware';
import { nameOf } from './status-name';

/**
 * Gives the call a logger bound to its request id and method, and writes one `rpc` line
 * (info) per call with its status name and duration in ms. When the error behind the status
 * must be looked at (INTERNAL, UNAVAILABLE), it first logs the cause as `rpc failed` (error):
 * the caller only ever sees the generic message.
 */
export function loggingMiddleware(logger: Logger): Middleware<{ requestId: string }, { log: Logger }> {
  return async (call, context, next) => {
    const log = logger.child({ requestId: context.requestId, method: `${call.method.service}/${call.method.name}` });
    const started = process.hrtime.bigint();
    const done = (code: string) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log.info({ code, ms: Math.round(ms * 10) / 10 }, 'rpc');
    };
    try {
      const response = await next({ ...context, log });
      done('OK');
      return response;
    } catch (error) {
      const mapped = toGrpcStatus(error);
      if (mapped.logCause) log.error({ err: error }, 'rpc failed');
      done(nameOf(mapped.error.code));
      throw error;
    }
  };
}
