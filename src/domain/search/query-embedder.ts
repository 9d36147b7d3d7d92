import type { CallContext } from '../context';
import { embeddingBudget, embeddingBudgetError } from '../embedder-breaker';
import { RecallError } from '../errors';
import type { Embedder } from '../ports';
import { raceContext } from '../race-context';
import { type SearchMetrics, msSince, now } from './search-observability';

/** A query vector and how long it took to obtain. */
export interface QueryEmbedding {
  vector: number[];
  ms: number;
}

/** Embeds one query text. */
export interface QueryEmbedder {
  embed(text: string, ctx: CallContext): Promise<QueryEmbedding>;
}

/**
 * Embeds queries through `embedder`, observing `embeddingDuration` for each call and checking
 * the vector's shape. Caching belongs to the embedder (the composition root wraps it in the
 * adapters' cached embedder), so repeated queries are cheap without a second cache here.
 * Past `timeoutMs` (the search's embedding budget; the caller's deadline applies too) the call
 * is abandoned and aborted with UnavailableError "embedder timed out after N ms".
 */
export function createQueryEmbedder(
  embedder: Embedder,
  metrics?: SearchMetrics,
  timeoutMs = Number.POSITIVE_INFINITY,
): QueryEmbedder {
  return {
    async embed(text, ctx) {
      const start = now();
      const budget = embeddingBudget(ctx, timeoutMs);
      let vector: number[] | undefined;
      try {
        [vector] = await raceContext(embedder.embed([text], budget.ctx, 'query'), budget.ctx);
      } catch (error) {
        throw embeddingBudgetError(budget.ctx, error) ?? error;
      } finally {
        budget.release();
      }
      const ms = msSince(start);
      if (!vector || vector.length !== embedder.dimension) {
        throw new RecallError('internal', `embedder ${embedder.name} returned a malformed vector`);
      }
      metrics?.embeddingDuration.observe(ms / 1000);
      return { vector, ms };
    },
  };
}
