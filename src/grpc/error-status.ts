import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { type ErrorCode, InvalidArgumentError, RecallError } from '../domain/errors';
import { BadRequest } from '../gen/google/rpc/error_details';
import { Status } from '../gen/google/rpc/status';

/** The Any type URL reflection clients (grpcurl, `buf curl`) resolve to google.rpc.BadRequest. */
const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

const CODES: Record<ErrorCode, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  already_exists: status.ALREADY_EXISTS,
  failed_precondition: status.FAILED_PRECONDITION,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  cancelled: status.CANCELLED,
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  internal: status.INTERNAL,
};

/** A status ready for grpc-js's callback; `logCause` says whether the error must be logged. */
export interface MappedStatus {
  error: Partial<ServiceError> & { code: status; details: string };
  logCause: boolean;
}

/**
 * The one place that turns any thrown value into a gRPC status. Domain errors keep their
 * message; invalid arguments also carry google.rpc.BadRequest details. Anything else
 * becomes INTERNAL with a generic message, and its cause goes to the log only.
 */
export function toGrpcStatus(error: unknown): MappedStatus {
  // Metrics, logging and the grpc-js adapter each ask about the same failed call.
  if (typeof error !== 'object' || error === null) return mapStatus(error);
  let mapped = mappedErrors.get(error);
  if (!mapped) {
    mapped = mapStatus(error);
    mappedErrors.set(error, mapped);
  }
  return mapped;
}

const mappedErrors = new WeakMap<object, MappedStatus>();

function mapStatus(error: unknown): MappedStatus {
  if (error instanceof RecallError) {
    const code = CODES[error.code];
    const metadata = new Metadata();
    if (error instanceof InvalidArgumentError) {
      metadata.set('grpc-status-details-bin', encodeBadRequestStatus(code, error));
    }
    return {
      error: { code, details: error.message, metadata },
      logCause: code === status.INTERNAL || code === status.UNAVAILABLE,
    };
  }
  return { error: { code: status.INTERNAL, details: 'internal error' }, logCause: true };
}

/** google.rpc.Status{code, message, details: [Any(google.rpc.BadRequest)]}, serialised. */
function encodeBadRequestStatus(code: status, error: InvalidArgumentError): Buffer {
  const badRequest = BadRequest.fromPartial({
    fieldViolations: error.violations.map(({ field, description }) => ({ field, description })),
  });
  const details = [{ typeUrl: BAD_REQUEST_TYPE_URL, value: Buffer.from(BadRequest.encode(badRequest).finish()) }];
  return Buffer.from(Status.encode({ code, message: error.message, details }).finish());
}
