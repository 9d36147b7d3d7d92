import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import { FailedPreconditionError } from '../../domain/errors';
import type { Embedder } from '../../domain/ports';
import { sendAdaptive } from '../http/adaptive-batches';
import { createAdaptiveWindow } from '../http/adaptive-window';
import { resolveEndpoint } from '../http/endpoint-url';
import { postJson, requestAuth } from '../http/fetch-json';
import { isAttemptTimeout, isRetryable, toDomainError } from '../http/http-errors';
import type { HttpServiceOptions } from '../http/http-service-options';
import { asArray, asIndex, asObject, malformed } from '../http/json-shape';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../http/retry';

/**
 * Options of an OpenAI-compatible embedding provider (OpenAI, vLLM, TEI, Ollama, LiteLLM…).
 * Defaults: at most 64 texts per request and 4 requests in flight (the adaptive window's
 * bounds), 10 000 ms per attempt, a latency target of a quarter of that, 3 retries.
 */
export interface HttpEmbedderOptions extends Omit<HttpServiceOptions, 'breaker'> {
  model: string;
  /** Per-request latency the adaptive window aims under (default timeoutMs / 4). */
  targetLatencyMs?: number;
  /** Expected vector length; a provider answering another length is a FailedPreconditionError. */
  dimension: number;
  /** Also send `dimensions` (for models that can shorten their vectors, e.g. text-embedding-3-*). Default false. */
  sendDimensions?: boolean;
}

const SERVICE = 'embedder';

/**
 * An Embedder over `POST /v1/embeddings` (`{model, input: string[]}`). Batch size and
 * requests in flight follow one adaptive window shared by every call (see
 * createAdaptiveWindow): they grow while answers come back within the latency target and
 * halve when one is slower or times out, so a slow model gets smaller batches instead of
 * timeouts. A timed-out batch of several texts is split and sent again; other failures (and
 * a lone text's timeout) are retried with backoff and jitter (honouring Retry-After), never
 * past the caller's deadline. A request is aborted — its connection closed — when the caller
 * cancels, the deadline passes or the call fails. Vectors come back in input order (by
 * `data[i].index`), checked for length and re-normalised to unit length. Its circuit breaker
 * is the composition root's (guardEmbedder), shared by every provider.
 * Errors: UnavailableError (outage, rate limit, malformed answer),
 * InvalidArgumentError on `texts` (400/413/422), FailedPreconditionError (other 4xx, wrong
 * dimension), DeadlineExceededError, CancelledError.
 */
export function createHttpEmbedder(options: HttpEmbedderOptions): Embedder {
  const endpoint = resolveEndpoint(options.url, '/v1/embeddings');
  const dimension = positiveInteger(options.dimension, 'dimension');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const window = createAdaptiveWindow({
    maxBatch: positiveInteger(options.batchSize ?? 64, 'batchSize'),
    maxConcurrent: positiveInteger(options.maxConcurrentBatches ?? 4, 'maxConcurrentBatches'),
    targetLatencyMs: positiveInteger(options.targetLatencyMs ?? Math.ceil(timeoutMs / 4), 'targetLatencyMs'),
  });
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
  };

  const auth = requestAuth(options);
  const embedBatch = async (texts: string[], ctx: CallContext): Promise<number[][]> => {
    try {
      const body: Record<string, unknown> = { model: options.model, input: texts, encoding_format: 'float' };
      if (options.sendDimensions) body.dimensions = dimension;
      // A batch that timed out is split by the caller rather than resent whole.
      const retryable = (error: unknown) => isRetryable(error) && (texts.length === 1 || !isAttemptTimeout(error));
      const json = await withRetry(
        () => postJson({ url: endpoint, body, timeoutMs, ...auth }, ctx),
        policy,
        ctx,
        retryable,
      );
      return parseEmbeddings(json, texts.length, dimension);
    } catch (error) {
      throw toDomainError(error, SERVICE, 'texts');
    }
  };

  return {
    name: `openai:${options.model}`,
    dimension,
    async embed(texts: string[], ctx: CallContext): Promise<number[][]> {
      throwIfDone(ctx);
      if (texts.length === 0) return [];
      return sendAdaptive(texts, ctx, { window, send: embedBatch, isTimeout: isAttemptTimeout });
    },
  };
}

/** `data[].embedding` in `data[].index` order, each checked and scaled to unit length. */
function parseEmbeddings(json: unknown, count: number, dimension: number): number[][] {
  const data = asArray(asObject(json, SERVICE, 'body').data, SERVICE, 'data');
  if (data.length !== count) malformed(SERVICE, `${data.length} embeddings for ${count} inputs`);
  const vectors = new Array<number[] | undefined>(count);
  data.forEach((item, position) => {
    const entry = asObject(item, SERVICE, `data[${position}]`);
    const index =
      entry.index === undefined ? position : asIndex(entry.index, count, SERVICE, `data[${position}].index`);
    if (vectors[index] !== undefined) malformed(SERVICE, `index ${index} appears twice`);
    const embedding = asArray(entry.embedding, SERVICE, `data[${position}].embedding`);
    if (embedding.length !== dimension) {
      throw new FailedPreconditionError(
        `${SERVICE} returned ${embedding.length}-dimensional vectors, configured dimension is ${dimension}`,
      );
    }
    vectors[index] = unit(embedding, position);
  });
  return vectors as number[][];
}

/** The vector scaled to unit length (providers other than OpenAI do not always normalise). */
function unit(embedding: unknown[], position: number): number[] {
  let sum = 0;
  for (const x of embedding) {
    if (typeof x !== 'number' || !Number.isFinite(x))
      malformed(SERVICE, `data[${position}].embedding has a non-number`);
    sum += x * x;
  }
  const vector = embedding as number[];
  const norm = Math.sqrt(sum);
  return norm > 0 && Math.abs(norm - 1) > 1e-6 ? vector.map((x) => x / norm) : vector;
}

function positiveInteger(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`embedder ${option} must be a positive integer, got ${value}`);
  return value;
}
