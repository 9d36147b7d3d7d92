import { type CallContext, contextError } from '../../domain/context';
import { HttpStatusError, HttpTransportError } from './http-errors';

/** One JSON request to a model service. */
export interface JsonRequest {
  url: string;
  body: unknown;
  /** Sent as `Authorization: Bearer …`; never logged or put in an error message. */
  apiKey?: string;
  headers?: Record<string, string>;
  /** Per-attempt budget in ms; the caller's deadline shortens it further. */
  timeoutMs: number;
}

/** The `apiKey` and `headers` of a {@link JsonRequest} that an options object sets (unset ones stay absent). */
export function requestAuth(options: {
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
}): Pick<JsonRequest, 'apiKey' | 'headers'> {
  return {
    ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
    ...(options.headers !== undefined && { headers: options.headers }),
  };
}

const MAX_ERROR_BODY = 2_000;

/**
 * POSTs `body` as JSON and resolves to the parsed JSON answer. The attempt is aborted by the
 * caller's signal, the caller's deadline or `timeoutMs`, whichever comes first.
 * Rejects with HttpStatusError (non-2xx), HttpTransportError (network, own timeout, bad
 * JSON), or DeadlineExceededError / CancelledError when the caller's context ended.
 */
export async function postJson(request: JsonRequest, ctx: CallContext): Promise<unknown> {
  const remaining = ctx.deadline - Date.now();
  if (remaining <= 0 || ctx.signal.aborted) throw contextError(ctx);
  const budget = Math.min(request.timeoutMs, remaining);
  const deadlineBound = budget === remaining;

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), budget);
  timer.unref();
  const signal = AbortSignal.any([ctx.signal, timeout.signal]);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...request.headers,
  };
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;

  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(request.body),
      signal,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new HttpStatusError(
        response.status,
        text.slice(0, MAX_ERROR_BODY),
        retryAfterMs(response.headers),
        request.url,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new HttpTransportError('malformed', `invalid JSON from ${request.url}: ${text.slice(0, 200)}`, {
        cause: error,
      });
    }
  } catch (error) {
    if (error instanceof HttpStatusError || error instanceof HttpTransportError) throw error;
    if (ctx.signal.aborted || (timeout.signal.aborted && deadlineBound)) throw contextError(ctx, error);
    if (timeout.signal.aborted) {
      throw new HttpTransportError('timeout', `no answer from ${request.url} within ${budget} ms`, { cause: error });
    }
    throw new HttpTransportError('network', `request to ${request.url} failed: ${rootCause(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** Retry-After (seconds or an HTTP date) or OpenAI's `retry-after-ms`, in ms. */
function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The innermost cause's code or message: undici wraps socket errors in "fetch failed". */
function rootCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
