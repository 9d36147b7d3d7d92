/**
 * Turns driver errors (pg and PGlite both carry the SQLSTATE in `code`) into domain errors,
 * so nothing above the adapters knows about SQLSTATEs.
 */
import type { CallContext } from '../../domain/context';
import {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  InvalidArgumentError,
  RecallError,
  UnavailableError,
} from '../../domain/errors';

/** Node socket errors that mean the server cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** SQLSTATEs that mean the server is going away or refusing work: outages, not bad input. */
const OUTAGE_STATES = new Set(['57P01', '57P02', '57P03', '57P04', '57P05', '53300', '53200', '53100']);

/** Messages pg uses for connection failures that carry no code. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /pglite is clos/i,
];

/** The SQLSTATE (or Node error code) of a driver error, if any. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True for errors that mean the database is unreachable or shutting down. */
export function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  if (code && (code.startsWith('08') || OUTAGE_STATES.has(code) || NETWORK_CODES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

export interface ErrorMappingOptions {
  /** Which database, for messages (`postgres`, `pglite`). */
  backend: string;
  /** The caller's context: decides between deadline, cancellation and statement timeout. */
  ctx?: CallContext;
}

/**
 * The domain error for a driver error. RecallErrors pass through unchanged; anything not
 * recognised becomes a plain Error carrying the original as `cause` (an internal error).
 */
export function toDomainError(error: unknown, options: ErrorMappingOptions): Error {
  if (error instanceof RecallError) return error;
  const { backend, ctx } = options;
  const code = sqlState(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === '23505')
    return new AlreadyExistsError('a record with the same unique key already exists', { cause: error });
  if (code?.startsWith('22') || code?.startsWith('23')) {
    const { column, constraint } = error as { column?: string; constraint?: string };
    const field = column ?? constraint;
    const violation = InvalidArgumentError.of(field ?? 'value', detail);
    violation.cause = error;
    return violation;
  }
  if (code === '57014') {
    if (ctx && Date.now() >= ctx.deadline) return new DeadlineExceededError(undefined, { cause: error });
    if (ctx?.signal.aborted) return new CancelledError(undefined, { cause: error });
    return new UnavailableError(`${backend} cancelled the statement (statement timeout)`, { cause: error });
  }
  if (isConnectionError(error)) return new UnavailableError(`${backend} is unavailable: ${detail}`, { cause: error });
  return new Error(`${backend} error${code ? ` ${code}` : ''}: ${detail}`, { cause: error });
}
