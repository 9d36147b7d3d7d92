import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import { FailedPreconditionError } from '../../domain/errors';
import type { Embedder } from '../../domain/ports';
import { chunk, mapLimit } from '../http/batches';
import { resolveEndpoint } from '../http/endpoint-url';
import { postJson } from '../http/fetch-json';
import { toDomainError } from '../http/http-errors';
import type { HttpServiceOptions } from '../http/http-service-options';
import { asArray, asIndex, asObject, malformed } from '../http/json-shape';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../http/retry';

/**
 * Options of an OpenAI-compatible embedding provider (OpenAI, vLLM, TEI, Ollama, LiteLLM…).
 * Defaults: 64 texts per request, 4 requests in flight, 10 000 ms per attempt, 3 retries.
 */
export interface HttpEmbedderOptions extends Omit<HttpServiceOptions, 'breaker'> {
  model: string;
  /** Expected vector length; a provider answering another length is a FailedPreconditionError. */
  dimension: number;
  /** Also send `dimensions` (for models that can shorten their vectors, e.g. text-embedding-3-*). Default false. */
  sendDimensions?: boolean;
}

const SERVICE = 'embedder';

/**
 * An Embedder over `POST /v1/embeddings` (`{model, input: string[]}`), in batches of
 * `batchSize`. Each batch is retried with backoff
 * (honouring Retry-After) but never past the caller's deadline. Vectors come back in input
 * order (by `data[i].index`), checked for length and re-normalised to unit length. Its
 * circuit breaker is the composition root's (guardEmbedder), shared by every provider.
 * Errors: UnavailableError (outage, rate limit, malformed answer),
 * InvalidArgumentError on `texts` (400/413/422), FailedPreconditionError (other 4xx, wrong
 * dimension), DeadlineExceededError, CancelledError.
 */
export function createHttpEmbedder(options: HttpEmbedderOptions): Embedder {
  const endpoint = resolveEndpoint(options.url, '/v1/embeddings');
  const batchSize = positiveInteger(options.batchSize ?? 64, 'batchSize');
  const concurrency = positiveInteger(options.maxConcurrentBatches ?? 4, 'maxConcurrentBatches');
  const dimension = positiveInteger(options.dimension, 'dimension');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
  };

  const embedBatch = async (texts: string[], ctx: CallContext): Promise<number[][]> => {
    try {
      const body: Record<string, unknown> = { model: options.model, input: texts, encoding_format: 'float' };
      if (options.sendDimensions) body.dimensions = dimension;
      const json = await withRetry(
        () => postJson({ url: endpoint, body, apiKey: options.apiKey, headers: options.headers, timeoutMs }, ctx),
        policy,
        ctx,
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
      const batches = await mapLimit(chunk(texts, batchSize), concurrency, (batch) => embedBatch(batch, ctx));
      return batches.flat();
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
