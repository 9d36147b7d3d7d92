import type { CallContext } from '../context';
import type { EmbeddingSpaceGuard } from '../embedding-spaces';
import { InvalidArgumentError, RecallError, defined } from '../errors';
import type { Embedder, VectorRecord, VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import type { CollectionQuota } from './collection-quota';
import { vectorProblem } from './search-rules';
import type { DocumentInput } from './search-types';

export interface DocumentWriterDeps {
  vectorStore: VectorStore;
  embedder: Embedder;
  breakers: CollectionBreakers;
  /** Refuses a write that would create one collection too many; none: no limit. */
  quota?: CollectionQuota;
  spaces?: EmbeddingSpaceGuard | undefined;
}

/** Writes callers' documents to public collections. */
export interface DocumentWriter {
  /**
   * Writes validated documents (validateUpsertDocuments): embeds the texts that come without a
   * vector (one batch), refuses a text whose embedding is all zeros (InvalidArgumentError naming
   * `documents[i].text`), creates the collection on first use and upserts. Resolves to the ids,
   * in input order.
   */
  upsert(collection: string, documents: DocumentInput[], ctx: CallContext): Promise<string[]>;
  /** Deletes by id; resolves to how many existed. */
  delete(collection: string, ids: string[], ctx: CallContext): Promise<number>;
}

/**
 * Creates the writer. Writes go through the collection's breaker, like searches: a store that
 * keeps failing opens it for both.
 */
export function createDocumentWriter(deps: DocumentWriterDeps): DocumentWriter {
  const { vectorStore, embedder, breakers } = deps;

  return {
    async upsert(collection, documents, ctx) {
      if (documents.length === 0) return [];
      // Before embedding: a write refused for want of room must cost nothing.
      await deps.quota?.allowWrite(collection, ctx);

      // An empty vector means "none" (proto3 cannot tell them apart): the text is embedded.
      const missing = documents.filter((doc) => !doc.vector?.length);
      // Texts recall embeds must land in a collection of this server's embedding space.
      if (missing.length > 0) await deps.spaces?.claim(collection, ctx);
      const embedded =
        missing.length > 0
          ? await embedder.embed(
              missing.map((doc) => doc.text),
              ctx,
              'document',
            )
          : [];
      if (embedded.length !== missing.length || embedded.some((v) => v.length !== embedder.dimension)) {
        throw new RecallError('internal', `embedder ${embedder.name} returned a malformed batch`);
      }
      // A text the embedder maps to zeros cannot be searched by cosine: the text is what to fix.
      const zero = documents.flatMap((doc, i) =>
        !doc.vector?.length && vectorProblem(embedded[missing.indexOf(doc)]) !== undefined
          ? [{ field: `documents[${i}].text`, description: 'gives an all-zero embedding (nothing to search by)' }]
          : [],
      );
      if (zero.length > 0) throw new InvalidArgumentError(zero);
      let next = 0;
      const records: VectorRecord[] = documents.map((doc) => ({
        id: doc.id,
        text: doc.text,
        metadata: doc.metadata,
        vector: doc.vector?.length ? doc.vector : defined(embedded[next++], 'an embedding per text'),
      }));

      await breakers.run(collection, async () => {
        await vectorStore.ensureCollection(collection, embedder.dimension, ctx);
        await vectorStore.upsert(collection, records, ctx);
      });
      return records.map((record) => record.id);
    },

    async delete(collection, ids, ctx) {
      if (ids.length === 0) return 0;
      return breakers.run(collection, () => vectorStore.delete(collection, ids, ctx));
    },
  };
}
