/**
 * Errors crossing a worker thread boundary. Structured cloning keeps an Error's message but
 * drops its own fields (a SQLSTATE `code`, a `constraint`) and its class, so errors travel as
 * plain data and are rebuilt on arrival: domain errors as the same class with the same code,
 * message and field violations; driver errors as an Error carrying the same fields.
 */
import {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  type ErrorCode,
  FailedPreconditionError,
  type FieldViolation,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RecallError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from '../../domain/errors';

/** An error as plain, cloneable data. */
export type TransferredError =
  | { kind: 'recall'; code: ErrorCode; message: string; violations?: FieldViolation[]; stack?: string }
  | { kind: 'error'; name: string; message: string; fields: Record<string, string | number | boolean>; stack?: string };

const REBUILD: Partial<Record<ErrorCode, (message: string) => RecallError>> = {
  not_found: (m) => new NotFoundError(m),
  already_exists: (m) => new AlreadyExistsError(m),
  failed_precondition: (m) => new FailedPreconditionError(m),
  unavailable: (m) => new UnavailableError(m),
  deadline_exceeded: (m) => new DeadlineExceededError(m),
  cancelled: (m) => new CancelledError(m),
  unauthenticated: (m) => new UnauthenticatedError(m),
  resource_exhausted: (m) => new ResourceExhaustedError(m),
  permission_denied: (m) => new PermissionDeniedError(m),
};

/** `error` as data that survives postMessage. */
export function packError(error: unknown): TransferredError {
  if (error instanceof InvalidArgumentError) {
    return { kind: 'recall', code: error.code, message: error.message, violations: error.violations };
  }
  if (error instanceof RecallError) return { kind: 'recall', code: error.code, message: error.message };
  if (!(error instanceof Error)) return { kind: 'error', name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return {
    kind: 'error',
    name: error.name,
    message: error.message,
    fields,
    ...(error.stack ? { stack: error.stack } : {}),
  };
}

/** The error `packError` described, rebuilt on this side of the boundary. */
export function unpackError(data: TransferredError): Error {
  if (data.kind === 'recall') {
    if (data.code === 'invalid_argument') return new InvalidArgumentError(data.violations ?? []);
    return REBUILD[data.code]?.(data.message) ?? new RecallError(data.code, data.message);
  }
  const error = Object.assign(new Error(data.message), data.fields);
  if (data.name !== 'Error') Object.defineProperty(error, 'name', { value: data.name, configurable: true });
  if (data.stack) error.stack = data.stack;
  return error;
}
