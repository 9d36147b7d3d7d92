import { status as GrpcStatus } from '@grpc/grpc-js';
import type { CallContext } from '../../domain/context';
import {
  CancelledError,
  DeadlineExceededError,
  NotFoundError,
  RecallError,
  UnavailableError,
} from '../../domain/errors';

/** The status block every Milvus response carries (the SDK's ResStatus, loosely typed). */
export interface MilvusStatus {
  error_code?: string | number;
  code?: number;
  reason?: string;
  retriable?: boolean;
}

const NOT_FOUND_CODE = 100;
const COLLECTION_MISSING = /collection\b.*\b(not (found|exist)|does ?n[o']t exist)/i;

/** Whether a status reports success. Milvus Lite may set `code` while `error_code` says Success. */
export function isSuccess(status: MilvusStatus | undefined): boolean {
  if (!status) return false;
  const errorCode = status.error_code;
  const ok = errorCode === undefined || errorCode === 'Success' || errorCode === 0;
  return ok && (status.code === undefined || status.code === 0);
}

/** Whether a status means the collection does not exist. */
export function isCollectionMissing(status: MilvusStatus | undefined): boolean {
  return (
    status?.code === NOT_FOUND_CODE ||
    status?.error_code === 'CollectionNotExists' ||
    COLLECTION_MISSING.test(status?.reason ?? '')
  );
}

/** Milvus's code for a collection that exists but is not loaded (e.g. released when the server restarted). */
const NOT_LOADED_CODE = 101;

/** Whether a status means the collection is not loaded: it must be loaded again before use. */
export function isCollectionNotLoaded(status: MilvusStatus | undefined): boolean {
  return (
    status?.code === NOT_LOADED_CODE ||
    status?.error_code === 'CollectionNotLoaded' ||
    /not loaded|in state 'released'/i.test(status?.reason ?? '')
  );
}

/**
 * Throws the domain error for a failed status: NotFoundError for a missing collection,
 * UnavailableError for a retriable (overload, not ready) failure, an internal RecallError
 * otherwise. `what` names the operation in the message.
 */
export function throwIfFailed(status: MilvusStatus | undefined, what: string, collection?: string): void {
  if (isSuccess(status)) return;
  if (collection !== undefined && isCollectionMissing(status)) {
    throw new NotFoundError(`collection "${collection}" does not exist`);
  }
  const detail = status ? `${status.error_code ?? ''}/${status.code ?? ''}: ${status.reason ?? ''}` : 'no status';
  if (status?.retriable || status?.error_code === 'RateLimit' || isCollectionNotLoaded(status)) {
    throw new UnavailableError(`milvus ${what} failed, try again later`, { cause: new Error(detail) });
  }
  throw new RecallError('internal', `milvus ${what} failed`, { cause: new Error(detail) });
}

/**
 * Turns an exception from the SDK (a gRPC error, a timeout of ours) into a domain error.
 * A deadline that is the caller's becomes DeadlineExceededError; one that only hit the
 * per-call cap means Milvus is too slow, an outage: UnavailableError.
 */
export function mapMilvusError(error: unknown, what: string, ctx: CallContext): RecallError {
  if (error instanceof RecallError) return error;
  const code = (error as { code?: unknown })?.code;
  const callerDeadlinePassed = Date.now() >= ctx.deadline - 5;
  if (code === GrpcStatus.DEADLINE_EXCEEDED) {
    return callerDeadlinePassed
      ? new DeadlineExceededError(`deadline exceeded during milvus ${what}`, { cause: error })
      : new UnavailableError(`milvus did not answer ${what} in time`, { cause: error });
  }
  if (code === GrpcStatus.CANCELLED) return new CancelledError(`milvus ${what} cancelled`, { cause: error });
  if (
    code === GrpcStatus.UNAVAILABLE ||
    code === GrpcStatus.RESOURCE_EXHAUSTED ||
    code === GrpcStatus.UNAUTHENTICATED ||
    code === GrpcStatus.PERMISSION_DENIED ||
    code === GrpcStatus.ABORTED
  ) {
    return new UnavailableError(`milvus is unavailable (${what})`, { cause: error });
  }
  return new RecallError('internal', `milvus ${what} failed`, { cause: error });
}
