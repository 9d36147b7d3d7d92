/**
 * Domain errors: each has a stable `code` that the gRPC layer maps to a status, a message
 * that is safe to show the caller, and an optional hidden `cause` that only reaches the log.
 */
export type ErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'already_exists'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'unavailable'
  | 'deadline_exceeded'
  | 'cancelled'
  | 'unauthenticated'
  | 'permission_denied'
  | 'internal';

/** One offending field, as in google.rpc.BadRequest.FieldViolation. */
export interface FieldViolation {
  field: string;
  description: string;
}

/** Base class of every error the domain and its adapters raise on purpose. */
export class RecallError extends Error {
  override readonly name: string = 'RecallError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * `value`, or an internal error naming `what` when it is undefined: for a value an invariant
 * guarantees (a row an INSERT … RETURNING returns, an answer per input), not for caller input.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new RecallError('internal', `internal error: ${what} is missing`);
  return value;
}

/** Bad input from the caller; names every offending field. Never opens a breaker. */
export class InvalidArgumentError extends RecallError {
  override readonly name = 'InvalidArgumentError';
  constructor(readonly violations: FieldViolation[]) {
    super('invalid_argument', violations.map((v) => `${v.field}: ${v.description}`).join('; ') || 'invalid argument');
  }

  /** Shorthand for a single violation. */
  static of(field: string, description: string): InvalidArgumentError {
    return new InvalidArgumentError([{ field, description }]);
  }
}

/** The thing asked for does not exist (or is not the caller's). */
export class NotFoundError extends RecallError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('not_found', message);
  }
}

/** A unique constraint refused the write. */
export class AlreadyExistsError extends RecallError {
  override readonly name = 'AlreadyExistsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('already_exists', message, options);
  }
}

/** The system is not in a state that allows the call (e.g. dimension mismatch). */
export class FailedPreconditionError extends RecallError {
  override readonly name = 'FailedPreconditionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('failed_precondition', message, options);
  }
}

/** A backend is unreachable or its breaker is open. */
export class UnavailableError extends RecallError {
  override readonly name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/** The caller's deadline passed before the work finished. */
export class DeadlineExceededError extends RecallError {
  override readonly name = 'DeadlineExceededError';
  constructor(message = 'deadline exceeded', options?: { cause?: unknown }) {
    super('deadline_exceeded', message, options);
  }
}

/** The caller went away. */
export class CancelledError extends RecallError {
  override readonly name = 'CancelledError';
  constructor(message = 'cancelled', options?: { cause?: unknown }) {
    super('cancelled', message, options);
  }
}

/** The caller did not present a valid credential (bearer token). */
export class UnauthenticatedError extends RecallError {
  override readonly name = 'UnauthenticatedError';
  constructor(message = 'missing or invalid bearer token') {
    super('unauthenticated', message);
  }
}

/** A limit on what callers may create was reached (e.g. MAX_COLLECTIONS); nothing was written. */
export class ResourceExhaustedError extends RecallError {
  override readonly name = 'ResourceExhaustedError';
  constructor(message: string) {
    super('resource_exhausted', message);
  }
}

/** The caller's credential is valid but does not carry what the call needs (a token scope). */
export class PermissionDeniedError extends RecallError {
  override readonly name = 'PermissionDeniedError';
  constructor(message: string) {
    super('permission_denied', message);
  }
}

/** True for a call that ended (its deadline passed or it was cancelled) rather than failed. */
export function isContextEnd(error: unknown): boolean {
  return error instanceof RecallError && (error.code === 'deadline_exceeded' || error.code === 'cancelled');
}

/**
 * True for a failure a degraded answer must not hide: the caller's own (input refused, its
 * deadline passed, it cancelled). Search's and RecallFacts' dense sides fail over to lexical
 * hits on anything else.
 */
export function isOwnFault(error: unknown): boolean {
  return error instanceof RecallError && (error.code === 'invalid_argument' || isContextEnd(error));
}

/** True for errors caused by the caller's input: they must never count as an outage. */
export function isCallerError(error: unknown): boolean {
  return (
    error instanceof RecallError &&
    (error.code === 'invalid_argument' ||
      error.code === 'not_found' ||
      error.code === 'already_exists' ||
      error.code === 'failed_precondition' ||
      error.code === 'resource_exhausted' ||
      error.code === 'permission_denied' ||
      error.code === 'cancelled' ||
      error.code === 'deadline_exceeded')
  );
}
