import type { Breaker } from '../../domain/breaker';
import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import type { Reranker } from '../../domain/ports';
import type { Metrics } from '../../observability/metrics';
import { createBreaker } from '../../resilience/breaker';
import { chunk, mapLimit } from '../http/batches';
import { resolveEndpoint } from '../http/endpoint-url';
import { postJson, requestAuth } from '../http/fetch-json';
import { toDomainError } from '../http/http-errors';
import type { HttpServiceOptions } from '../http/http-service-options';
import { asArray, asFiniteNumber, asIndex, asObject, malformed } from '../http/json-shape';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../http/retry';
import type { RerankFormat } from './rerank-format';

/** Wire format of a rerank service; see rerank-format.ts. */
export type { RerankFormat } from './rerank-format';

/**
 * Options of an HTTP reranker. Defaults: 32 texts per request for tei (its default
 * max_client_batch_size), 1000 for cohere; 4 requests in flight; 3 000 ms per attempt; 1 retry
 * (reranking is on the hot path).
 */
export interface HttpRerankerOptions extends HttpServiceOptions {
  format: RerankFormat;
  /** Model name, sent in the `cohere` format (required by Cohere and Jina); ignored by `tei`. */
  model?: string;
  /** Endpoint path instead of `/rerank` (tei) or `/v1/rerank` (cohere). */
  path?: string;
  /** `cohere` only: ask for the best `topN` of each request; the others score UNRANKED_SCORE. Default: all. */
  topN?: number;
}

/** An HTTP reranker; `close()` stops its breaker. */
export interface HttpReranker extends Reranker {
  readonly breaker: Breaker;
  close(): void;
}

/**
 * Score of a text the service left out of its answer (beyond `top_n`): below every score
 * these APIs return (TEI without raw_scores and Cohere-style services answer in [0, 1]),
 * and finite, as the search pipeline requires.
 */
export const UNRANKED_SCORE = -1;

const SERVICE = 'reranker';

/**
 * A Reranker over a remote cross-encoder, behind the `reranker` circuit breaker, one score
 * per text in input order (texts beyond a `top_n` get UNRANKED_SCORE). Large inputs are
 * split into concurrent requests of `batchSize` (cross-encoder scores are per pair, so they
 * stay comparable). Errors as for the HTTP embedder, with InvalidArgumentError on `query`.
 */
export function createHttpReranker(options: HttpRerankerOptions, metrics?: Metrics): HttpReranker {
  const { format } = options;
  if (format !== 'tei' && format !== 'cohere') throw new Error(`unknown rerank format: ${String(format)}`);
  const endpoint = resolveEndpoint(options.url, options.path ?? (format === 'tei' ? '/rerank' : '/v1/rerank'));
  const batchSize = options.batchSize ?? (format === 'tei' ? 32 : 1000);
  const concurrency = options.maxConcurrentBatches ?? 4;
  const timeoutMs = options.timeoutMs ?? 3_000;
  for (const [name, value] of Object.entries({ batchSize, concurrency, topN: options.topN ?? 1 })) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`reranker ${name} must be a positive integer, got ${value}`);
  }
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxRetries: options.maxRetries ?? 1,
  };
  const breaker = createBreaker({ ...options.breaker, name: SERVICE }, metrics);

  const requestBody = (query: string, texts: string[]): Record<string, unknown> => {
    if (format === 'tei') return { query, texts, raw_scores: false, truncate: true };
    const body: Record<string, unknown> = {
      query,
      documents: texts,
      top_n: Math.min(options.topN ?? texts.length, texts.length),
    };
    if (options.model) body.model = options.model;
    return body;
  };

  const auth = requestAuth(options);
  const rerankBatch = (query: string, texts: string[], ctx: CallContext): Promise<number[]> =>
    breaker.run(async () => {
      try {
        const body = requestBody(query, texts);
        const json = await withRetry(() => postJson({ url: endpoint, body, timeoutMs, ...auth }, ctx), policy, ctx);
        return parseScores(json, format, texts.length);
      } catch (error) {
        throw toDomainError(error, SERVICE, 'query');
      }
    });

  return {
    name: options.model ? `${format}-rerank:${options.model}` : `${format}-rerank`,
    breaker,
    async rerank(query: string, texts: string[], ctx: CallContext): Promise<number[]> {
      throwIfDone(ctx);
      if (texts.length === 0) return [];
      const batches = await mapLimit(chunk(texts, batchSize), concurrency, (batch) => rerankBatch(query, batch, ctx));
      return batches.flat();
    },
    close: () => breaker.shutdown(),
  };
}

/** One score per input, in input order, from either answer shape. */
function parseScores(json: unknown, format: RerankFormat, count: number): number[] {
  const results =
    format === 'tei'
      ? asArray(json, SERVICE, 'body')
      : asArray(asObject(json, SERVICE, 'body').results, SERVICE, 'results');
  const scoreField = format === 'tei' ? 'score' : 'relevance_score';
  const scores = new Array<number>(count).fill(UNRANKED_SCORE);
  const seen = new Set<number>();
  results.forEach((item, position) => {
    const entry = asObject(item, SERVICE, `results[${position}]`);
    const index = asIndex(entry.index, count, SERVICE, `results[${position}].index`);
    if (seen.has(index)) malformed(SERVICE, `index ${index} appears twice`);
    seen.add(index);
    scores[index] = asFiniteNumber(entry[scoreField], SERVICE, `results[${position}].${scoreField}`);
  });
  return scores;
}
