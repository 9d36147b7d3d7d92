import type { CallContext } from '../context';
import { RecallError } from '../errors';
import type { Embedder } from '../ports';
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
 */
export function createQueryEmbedder(embedder: Embedder, metrics?: SearchMetrics): QueryEmbedder {
  return {
    async embed(text, ctx) {
      const start = now();
      const [vector] = await embedder.embed([text], ctx, 'query');
      const ms = msSince(start);
      if (!vector || vector.length !== embedder.dimension) {
        throw new RecallError('internal', `embedder ${embedder.name} returned a malformed vector`);
      }
      metrics?.embeddingDuration.observe(ms / 1000);
      return { vector, ms };
    },
  };
}
