import { type CallContext, contextWithTimeout } from '../../context';
import type { EmbeddingSpaceGuard } from '../../embedding-spaces';
import { NotFoundError } from '../../errors';
import type { GoldenAnswer, GoldenAnswerRepository, VectorStore } from '../../ports';
import type { CollectionBreakers } from '../collection-breakers';
import { runWithTimeout } from '../run-with-timeout';
import type { SearchLogger } from '../search-observability';
import type { GoldenAnswerMatch } from '../search-types';
import type { GoldenAnswerPresence } from './golden-answer-presence';
import type { GoldenVectorMirror } from './golden-vector-mirror';
import { normalizeQuestion } from './normalize-question';

/** Metadata keys of a golden answer's entry in the golden-answer vector collection. */
export const GOLDEN_ID_KEY = 'golden_answer_id';
export const GOLDEN_NORMALIZED_KEY = 'normalized_question';

const BACKGROUND_TIMEOUT_MS = 5_000;

export interface GoldenAnswerLookupDeps {
  repository: GoldenAnswerRepository;
  /** Skips both lookups while no golden answer exists. */
  presence: GoldenAnswerPresence;
  /** In-memory copy of the golden-answer collection; the store is searched when it cannot serve. */
  mirror: GoldenVectorMirror;
  vectorStore: VectorStore;
  breakers: CollectionBreakers;
  /** The internal vector collection indexing the questions (INTERNAL_COLLECTIONS.goldenAnswers). */
  collection: string;
  /** A semantic match needs a cosine similarity strictly above this. */
  threshold: number;
  timeoutMs: number;
  logger: SearchLogger;
  /** A question index made by another model is not compared with this server's query vectors. */
  spaces?: EmbeddingSpaceGuard | undefined;
}

/**
 * Finds golden answers. Both lookups are best effort: a failing backend means "no golden
 * answer", never a failed search, and neither function rejects.
 */
export interface GoldenAnswerLookup {
  /** The answer whose normalised question equals the normalised query. */
  exact(query: string, ctx: CallContext): Promise<GoldenAnswerMatch | undefined>;
  /** The answer whose question embedding is closest to `vector`, when above the threshold. */
  semantic(vector: number[], ctx: CallContext): Promise<GoldenAnswerMatch | undefined>;
}

/**
 * Creates the lookup. Postgres is the source of truth; the vector index only proposes
 * candidates. A candidate whose row is gone is dropped (and its vector removed in the
 * background), and one whose question changed since it was indexed is ignored, so a stale
 * index can miss an answer but never return a wrong one.
 */
export function createGoldenAnswerLookup(deps: GoldenAnswerLookupDeps): GoldenAnswerLookup {
  const { repository, vectorStore, collection, logger } = deps;

  return {
    async exact(query, ctx) {
      const normalized = normalizeQuestion(query);
      if (normalized.length === 0) return undefined;
      if (!(await deps.presence.maybePresent(ctx))) return undefined;
      try {
        // Questions indexed by another model: no semantic match until they are re-embedded.
        if (deps.spaces && !(await deps.spaces.compatible(collection, ctx))) return undefined;
        const answer = await repository.findByNormalizedQuestion(normalized, ctx);
        return answer ? toMatch(answer, 1, 'exact') : undefined;
      } catch (error) {
        logger.warn({ err: error }, 'exact golden-answer lookup failed; searching without it');
        return undefined;
      }
    },

    async semantic(vector, ctx) {
      if (!(await deps.presence.maybePresent(ctx))) return undefined;
      try {
        const mirrored = await deps.mirror.nearest(vector, ctx);
        const [best] =
          mirrored !== undefined
            ? mirrored
              ? [mirrored]
              : []
            : await deps.breakers
                .get(collection)
                .run(() =>
                  runWithTimeout(
                    (child) => vectorStore.search(collection, { vector, limit: 1, filters: [] }, child),
                    ctx,
                    deps.timeoutMs,
                    `collection ${collection}`,
                  ),
                );
        if (!best || !(best.score > deps.threshold)) return undefined;
        const id =
          typeof best.metadata[GOLDEN_ID_KEY] === 'string' ? (best.metadata[GOLDEN_ID_KEY] as string) : best.id;
        const answer = await repository.get(id, ctx);
        if (!answer) {
          deps.mirror.invalidate();
          vectorStore
            .delete(collection, [best.id], contextWithTimeout(BACKGROUND_TIMEOUT_MS))
            .catch((error: unknown) => {
              logger.warn({ err: error, id }, 'could not remove a stale golden-answer vector');
            });
          return undefined;
        }
        if (best.metadata[GOLDEN_NORMALIZED_KEY] !== normalizeQuestion(answer.question)) {
          logger.warn({ id }, 'golden-answer vector is out of date; ignoring it until the answer is upserted again');
          return undefined;
        }
        return toMatch(answer, best.score, 'semantic');
      } catch (error) {
        if (!(error instanceof NotFoundError)) {
          logger.warn({ err: error }, 'semantic golden-answer lookup failed; searching without it');
        }
        return undefined;
      }
    },
  };
}

function toMatch(answer: GoldenAnswer, score: number, match: 'exact' | 'semantic'): GoldenAnswerMatch {
  return { id: answer.id, question: answer.question, answer: answer.answer, sources: answer.sources, score, match };
}
