import type { CallContext } from '../context';
import { isOwnFault } from '../errors';
import { type FanOutResult, allFailedError, failureReason } from './fan-out';
import type { QueryEmbedder } from './query-embedder';
import type { SkippedStage } from './search-types';

/** A search's query vector, or why there is none. */
export interface SearchVector {
  vector?: number[];
  /** Time spent obtaining it (0 when given or not needed). */
  ms: number;
  /** Why the query could not be embedded; the search goes on without the stages that need it. */
  error?: Error;
}

/**
 * Embeds the query for a search, or settles with the reason it could not. Only the caller's
 * own failures reject (its deadline or cancellation, input the embedder refused): anything
 * else — the embedder down, slow, its breaker open, misconfigured — costs the dense side and
 * the semantic golden-answer lookup, never the search.
 */
export async function embedSearchQuery(
  embedder: QueryEmbedder,
  query: string,
  ctx: CallContext,
): Promise<SearchVector> {
  try {
    return await embedder.embed(query, ctx);
  } catch (error) {
    if (isOwnFault(error)) throw error;
    return { ms: 0, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** The reason shown to the caller for a query that could not be embedded. */
export function embeddingReason(error: Error): string {
  return `query not embedded: ${failureReason(error)}`;
}

/**
 * The fan-out's result once the dense side could not run for want of a query vector: every
 * collection whose lexical side answered is listed as failed for its `dense` retriever (its
 * lexical hits stay), and one that gave nothing (no lexical side) as failed outright. When no
 * collection answered at all the search fails: UNAVAILABLE naming the embedder, unless every
 * failure is the caller's own (an unknown collection is still NOT_FOUND).
 */
export function withoutDense(fanned: FanOutResult, collections: string[], error: Error): FanOutResult {
  const reason = embeddingReason(error);
  const failed = [...fanned.failed];
  const errors = [...fanned.errors];
  for (const name of collections) {
    if (failed.some((f) => f.name === name)) continue;
    const answered = fanned.answered.some((list) => list.collection === name);
    failed.push({ name, reason, ...(answered ? { retriever: 'dense' as const } : {}) });
    errors.push(error);
  }
  const result = { ...fanned, failed, errors };
  if (result.answered.length === 0) throw allFailedError(result);
  return result;
}

/** The stages a search skipped for want of a query vector, in a fixed order. */
export function skippedStages(denseSkipped: boolean, goldenSkipped: boolean): SkippedStage[] {
  return [
    ...(denseSkipped ? ['dense_retrieval' as const] : []),
    ...(goldenSkipped ? ['semantic_golden_answer' as const] : []),
  ];
}
