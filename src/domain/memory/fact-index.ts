import type { CallContext } from '../context';
import type { EmbeddingSpaceGuard } from '../embedding-spaces';
import { NotFoundError, RecallError, defined } from '../errors';
import { INTERNAL_COLLECTIONS } from '../internal-collections';
import type { Embedder, EmbeddingKind, MetadataFilter, VectorStore } from '../ports';

/** Metadata keys of a fact's entry in the facts collection. */
const USER_KEY = 'user_id';
const FACT_KEY = 'fact_id';

export interface FactIndexDeps {
  vectorStore: VectorStore;
  embedder: Embedder;
  /** The internal collection holding fact embeddings; INTERNAL_COLLECTIONS.userFacts by default. */
  collection?: string;
  /** Keeps the facts' vectors in one embedding space; unchecked without it. */
  spaces?: EmbeddingSpaceGuard | undefined;
}

/** A fact found by {@link FactIndex.recall}, with its cosine similarity to the query. */
export interface RecalledFact {
  factId: string;
  score: number;
}

/** A fact's entry in the index: its id, its text, and the text's embedding. */
export interface FactEntry {
  id: string;
  content: string;
  vector: number[];
}

/**
 * The semantic index behind MemoryService.RecallFacts. Every read and delete is scoped to one
 * user by a `user_id` filter, so no call can reach another user's facts. Writes happen inside
 * the repository's transaction for the same facts (see UserFactsStep), so the index never
 * holds a fact that a committed ForgetUser or DeleteFacts removed.
 */
export interface FactIndex {
  /**
   * Embeds fact contents (one batch) for `put`, one vector per text, checked against the
   * dimension; claims the index for this embedding space first (never inside a transaction:
   * the claim is a query of its own).
   */
  embed(contents: string[], ctx: CallContext): Promise<number[][]>;
  /** Upserts the user's facts with their vectors. */
  put(userId: string, entries: FactEntry[], ctx: CallContext): Promise<void>;
  /** Removes the user's facts among `ids` (others' ids are ignored); resolves to how many. */
  remove(userId: string, ids: string[], ctx: CallContext): Promise<number>;
  /** Removes every fact of the user; resolves to how many. */
  removeUser(userId: string, ctx: CallContext): Promise<number>;
  /** The user's facts closest to `query`, best first, at most `limit`. */
  recall(userId: string, query: string, limit: number, ctx: CallContext): Promise<RecalledFact[]>;
}

/** Creates the fact index. A collection that does not exist yet holds no facts. */
export function createFactIndex(deps: FactIndexDeps): FactIndex {
  const { vectorStore, embedder } = deps;
  const collection = deps.collection ?? INTERNAL_COLLECTIONS.userFacts;
  const ofUser = (userId: string): MetadataFilter => ({ field: USER_KEY, operator: 'eq', values: [userId] });
  const embed = async (texts: string[], ctx: CallContext, kind: EmbeddingKind): Promise<number[][]> => {
    if (texts.length === 0) return [];
    const vectors = await embedder.embed(texts, ctx, kind);
    if (vectors.length !== texts.length || vectors.some((v) => v.length !== embedder.dimension)) {
      throw new RecallError('internal', `embedder ${embedder.name} returned a malformed batch`);
    }
    return vectors;
  };

  return {
    async embed(contents, ctx) {
      if (contents.length === 0) return [];
      await deps.spaces?.claim(collection, ctx);
      return embed(contents, ctx, 'document');
    },

    async put(userId, entries, ctx) {
      if (entries.length === 0) return;
      await vectorStore.ensureCollection(collection, embedder.dimension, ctx);
      await vectorStore.upsert(
        collection,
        entries.map((entry) => ({
          id: entry.id,
          text: entry.content,
          metadata: { [USER_KEY]: userId, [FACT_KEY]: entry.id },
          vector: entry.vector,
        })),
        ctx,
      );
    },

    async remove(userId, ids, ctx) {
      if (ids.length === 0) return 0;
      const filters: MetadataFilter[] = [ofUser(userId), { field: FACT_KEY, operator: 'in', values: ids }];
      return emptyIfMissing(vectorStore.deleteWhere(collection, filters, ctx), 0);
    },

    async removeUser(userId, ctx) {
      return emptyIfMissing(vectorStore.deleteWhere(collection, [ofUser(userId)], ctx), 0);
    },

    async recall(userId, query, limit, ctx) {
      if (limit <= 0) return [];
      await deps.spaces?.check([collection], ctx);
      const [vector] = await embed([query], ctx, 'query');
      const hits = await emptyIfMissing(
        vectorStore.search(
          collection,
          { vector: defined(vector, 'the query embedding'), limit, filters: [ofUser(userId)] },
          ctx,
        ),
        [],
      );
      // Defence in depth: a store that ignored the filter still cannot leak another user's facts.
      return hits
        .filter((hit) => hit.metadata[USER_KEY] === userId)
        .map((hit) => ({ factId: hit.id, score: hit.score }));
    },
  };
}

async function emptyIfMissing<T>(work: Promise<T>, empty: T): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NotFoundError) return empty;
    throw error;
  }
}
