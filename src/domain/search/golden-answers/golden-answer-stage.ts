import type { CallContext } from '../../context';
import type { EmbeddingSpaceGuard } from '../../embedding-spaces';
import type { Embedder, GoldenAnswer, GoldenAnswerRepository, VectorStore } from '../../ports';
import type { CollectionBreakers } from '../collection-breakers';
import type { SearchLogger } from '../search-observability';
import type { SearchOptions } from '../search-options';
import type { GoldenAnswerInput } from '../search-types';
import { type GoldenAnswerLookup, createGoldenAnswerLookup } from './golden-answer-lookup';
import { createGoldenAnswerPresence } from './golden-answer-presence';
import { createGoldenAnswerWriter } from './golden-answer-writer';
import { createGoldenVectorMirror } from './golden-vector-mirror';

/** The golden-answer stage of search: its lookup for the flow, and its writes. */
export interface GoldenAnswerStage {
  lookup: GoldenAnswerLookup;
  /** Creates or replaces an answer and indexes its question; the lookup's caches follow. */
  upsert(input: GoldenAnswerInput, ctx: CallContext): Promise<{ answer: GoldenAnswer; created: boolean }>;
  /** NotFoundError when there is none with this id; the lookup's caches follow. */
  delete(id: string, ctx: CallContext): Promise<void>;
}

/** What the stage is built from: the search service's own ports and options. */
export interface GoldenAnswerStageDeps {
  repository: GoldenAnswerRepository;
  vectorStore: VectorStore;
  embedder: Embedder;
  breakers: CollectionBreakers;
  options: SearchOptions;
  logger: SearchLogger;
  spaces?: EmbeddingSpaceGuard | undefined;
}

/**
 * Builds the stage: the exact and semantic lookups behind a presence cache and a vector
 * mirror, and the writer that keeps the answers' questions indexed.
 */
export function createGoldenAnswerStage(deps: GoldenAnswerStageDeps): GoldenAnswerStage {
  const { repository, vectorStore, options, logger, spaces } = deps;
  const collection = options.goldenAnswerCollection;
  const presence = createGoldenAnswerPresence(repository, options.goldenAnswerPresenceTtlMs);
  const mirror = createGoldenVectorMirror({
    vectorStore,
    collection,
    ttlMs: options.goldenAnswerPresenceTtlMs,
    maxEntries: options.goldenAnswerMirrorMaxEntries,
  });
  const writer = createGoldenAnswerWriter({
    repository,
    vectorStore,
    embedder: deps.embedder,
    collection,
    logger,
    spaces,
  });
  return {
    lookup: createGoldenAnswerLookup({
      repository,
      presence,
      mirror,
      vectorStore,
      breakers: deps.breakers,
      collection,
      threshold: options.goldenAnswerThreshold,
      timeoutMs: options.perCollectionTimeoutMs,
      logger,
      spaces,
    }),
    async upsert(input, ctx) {
      try {
        return await writer.upsert(input, ctx);
      } finally {
        // Even a failed write may have left a row behind (its compensation can fail too).
        presence.markPresent();
        mirror.invalidate();
      }
    },
    async delete(id, ctx) {
      try {
        await writer.delete(id, ctx);
      } finally {
        presence.invalidate();
        mirror.invalidate();
      }
    },
  };
}
