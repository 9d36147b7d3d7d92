/**
 * What can go wrong talking to a model service over HTTP, before it is turned into a domain
 * error. These never leave `src/adapters/`: callers see the domain errors from
 * {@link toDomainError}.
 */
import { FailedPreconditionError, InvalidArgumentError, RecallError, UnavailableError } from '../../domain/errors';

/** The service answered with a non-2xx status. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    /** The start of the response body, for the log. */
    readonly body: string,
    /** How long the service asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | undefined,
    url: string,
  ) {
    super(`HTTP ${status} from ${url}: ${body}`);
  }
}

export type TransportFailure = 'network' | 'timeout' | 'malformed';

/** No usable answer: connection failed, the per-attempt timeout fired, or the body was not what we expect. */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  constructor(
    readonly kind: TransportFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for failures worth another attempt: network errors, timeouts, 408, 429 and most 5xx. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpTransportError) return error.kind !== 'malformed';
  if (!(error instanceof HttpStatusError)) return false;
  const s = error.status;
  return s === 408 || s === 429 || (s >= 500 && s !== 501 && s !== 505);
}

/** True when an attempt ran out of its own time (not the caller's), also once mapped to a domain error. */
export function isAttemptTimeout(error: unknown): boolean {
  const failure = error instanceof RecallError ? error.cause : error;
  return failure instanceof HttpTransportError && failure.kind === 'timeout';
}

/** Statuses that mean "this input cannot be processed", as opposed to "this request is misconfigured". */
const INPUT_REJECTED = new Set([400, 413, 422]);

/**
 * Maps a failure of `service` (e.g. `embedder`) to the domain error the gRPC layer understands:
 * outages → UnavailableError, rejected input → InvalidArgumentError naming `inputField`,
 * other 4xx (auth, unknown model, wrong URL) → FailedPreconditionError. Domain errors pass
 * through; anything unrecognised is rethrown unchanged (it is a bug, reported as INTERNAL).
 */
export function toDomainError(error: unknown, service: string, inputField: string): Error {
  if (error instanceof RecallError) return error;
  if (error instanceof HttpTransportError) {
    const what =
      error.kind === 'timeout'
        ? 'timed out'
        : error.kind === 'network'
          ? 'is unreachable'
          : 'returned a malformed response';
    return new UnavailableError(`${service} ${what}`, { cause: error });
  }
  if (error instanceof HttpStatusError) {
    if (isRetryable(error)) {
      const why = error.status === 429 ? 'is rate limiting' : 'is unavailable';
      return new UnavailableError(`${service} ${why} (HTTP ${error.status})`, { cause: error });
    }
    if (INPUT_REJECTED.has(error.status)) {
      const detail = providerMessage(error.body);
      return InvalidArgumentError.of(
        inputField,
        `rejected by the ${service} (HTTP ${error.status})${detail ? `: ${detail}` : ''}`,
      );
    }
    return new FailedPreconditionError(
      `${service} refused the request (HTTP ${error.status}); check its URL, model and API key`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The human part of a provider's error body (OpenAI, TEI, Cohere and FastAPI shapes), truncated. */
function providerMessage(body: string): string | undefined {
  let text: unknown = body;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const error = json.error;
    text =
      (typeof error === 'object' && error !== null ? (error as Record<string, unknown>).message : error) ??
      json.message ??
      json.detail;
  } catch {
    // Not JSON: the raw body is the message.
  }
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}
