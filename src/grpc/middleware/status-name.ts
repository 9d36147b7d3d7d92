import { status } from '@grpc/grpc-js';
import { toGrpcStatus } from '../error-status';

/**
 * The status name ('OK', 'NOT_FOUND', ...) a call ends with, for metrics labels and log
 * lines: what the one mapper, toGrpcStatus, makes of the error, so they always agree with
 * the status the caller receives.
 */
export function statusNameOf(error: unknown): string {
  return nameOf(toGrpcStatus(error).error.code);
}

/** The name of a status code (`status[code]`), or the number itself when unknown. */
export function nameOf(code: status): string {
  return status[code] ?? String(code);
}
