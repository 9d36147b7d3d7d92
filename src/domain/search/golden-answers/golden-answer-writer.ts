import { type CallContext, contextWithTimeout } from '../../context';
import type { EmbeddingSpaceGuard } from '../../embedding-spaces';
import { InvalidArgumentError, NotFoundError, RecallError } from '../../errors';
import type { Embedder, GoldenAnswer, GoldenAnswerRepository, VectorRecord, VectorStore } from '../../ports';
import type { SearchLogger } from '../search-observability';
import type { GoldenAnswerInput } from '../search-types';
import { GOLDEN_ID_KEY, GOLDEN_NORMALIZED_KEY } from './golden-answer-lookup';
import { normalizeQuestion } from './normalize-question';

export interface GoldenAnswerWriterDeps {
  repository: GoldenAnswerRepository;
  vectorStore: VectorStore;
  embedder: Embedder;
  collection: string;
  logger: SearchLogger;
  spaces?: EmbeddingSpaceGuard | undefined;
}

/** Writes golden answers to Postgres and their question embeddings to the vector index. */
export interface GoldenAnswerWriter {
  upsert(input: GoldenAnswerInput, ctx: CallContext): Promise<{ answer: GoldenAnswer; created: boolean }>;
  /** NotFoundError when there is no golden answer with this id. */
  delete(id: string, ctx: CallContext): Promise<void>;
}

/** Attempts at the index write before the SQL write is undone. */
const INDEX_ATTEMPTS = 2;
const COMPENSATION_TIMEOUT_MS = 5_000;

/**
 * Creates the writer. Consistency: the question is embedded before anything is written; the
 * SQL row is written next, then the vector (retried once). When the vector write still fails,
 * the SQL write is compensated (a created row deleted, a replaced one restored) and the error
 * is rethrown, so the caller can simply retry. Should the compensation fail too, the lookup's
 * read-side checks (see createGoldenAnswerLookup) keep the stale index from answering wrongly.
 * Deletion removes the row first, then the vector (best effort: an orphan vector is ignored
 * and cleaned up by the lookup).
 */
export function createGoldenAnswerWriter(deps: GoldenAnswerWriterDeps): GoldenAnswerWriter {
  const { repository, vectorStore, embedder, collection, logger } = deps;

  const index = async (answer: GoldenAnswer, vector: number[], ctx: CallContext): Promise<void> => {
    const record: VectorRecord = {
      id: answer.id,
      text: answer.question,
      metadata: { [GOLDEN_ID_KEY]: answer.id, [GOLDEN_NORMALIZED_KEY]: normalizeQuestion(answer.question) },
      vector,
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await vectorStore.ensureCollection(collection, embedder.dimension, ctx);
        await vectorStore.upsert(collection, [record], ctx);
        return;
      } catch (error) {
        if (attempt >= INDEX_ATTEMPTS || ctx.signal.aborted) throw error;
      }
    }
  };

  const compensate = async (
    written: { answer: GoldenAnswer; created: boolean },
    previous: GoldenAnswer | undefined,
  ) => {
    // The caller's context may be what ended the call; the undo must still run.
    const ctx = contextWithTimeout(COMPENSATION_TIMEOUT_MS);
    try {
      if (written.created) {
        await repository.delete(written.answer.id, ctx);
      } else if (previous) {
        const { id, question, answer, sources } = previous;
        await repository.upsert(
          { id, question, normalizedQuestion: normalizeQuestion(question), answer, sources },
          ctx,
        );
      }
    } catch (error) {
      logger.warn({ err: error, id: written.answer.id }, 'could not undo a golden answer whose index write failed');
    }
  };

  return {
    async upsert(input, ctx) {
      const normalizedQuestion = normalizeQuestion(input.question);
      if (normalizedQuestion.length === 0) throw InvalidArgumentError.of('question', 'must contain words');
      await deps.spaces?.claim(collection, ctx);
      // A question is matched against search queries (query to query), so it is embedded as one.
      const [vector] = await embedder.embed([input.question], ctx, 'query');
      if (vector?.length !== embedder.dimension) {
        throw new RecallError('internal', `embedder ${embedder.name} returned a malformed vector`);
      }
      const previous = input.id ? await repository.get(input.id, ctx) : undefined;
      const result = await repository.upsert({ ...input, normalizedQuestion }, ctx);
      try {
        await index(result.answer, vector, ctx);
      } catch (error) {
        await compensate(result, previous);
        throw error;
      }
      return result;
    },

    async delete(id, ctx) {
      const existed = await repository.delete(id, ctx);
      await vectorStore.delete(collection, [id], ctx).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) {
          logger.warn({ err: error, id }, 'could not remove a golden-answer vector; it will be ignored');
        }
      });
      if (!existed) throw new NotFoundError(`golden answer ${id} not found`);
    },
  };
}
