import type { CallContext } from '../context';
import { ResourceExhaustedError } from '../errors';
import { isInternalCollection } from '../internal-collections';
import type { VectorStore } from '../ports';

/** Whether a write may create a collection. */
export interface CollectionQuota {
  /**
   * Resolves when `collection` exists or there is room for one more public collection;
   * rejects with ResourceExhaustedError (RESOURCE_EXHAUSTED) otherwise, before anything is written.
   */
  allowWrite(collection: string, ctx: CallContext): Promise<void>;
}

/**
 * Bounds the public collections callers can create through UpsertDocuments at `max`
 * (MAX_COLLECTIONS): each one costs a breaker and ~44 metric series in every replica, and any
 * caller allowed to upsert chooses the names. `known(collection)` answers for collections
 * already seen to exist (they have a breaker), so only a write to an unseen name lists the
 * store. Writes racing to create the last free places can pass the limit by a few.
 */
export function createCollectionQuota(
  vectorStore: Pick<VectorStore, 'listCollections'>,
  max: number,
  known: (collection: string) => boolean,
): CollectionQuota {
  return {
    async allowWrite(collection, ctx) {
      if (known(collection)) return;
      const existing = (await vectorStore.listCollections(ctx)).filter((c) => !isInternalCollection(c.name));
      if (existing.some((c) => c.name === collection) || existing.length < max) return;
      throw new ResourceExhaustedError(
        `collection ${collection} cannot be created: ${existing.length} collections exist, the most allowed (MAX_COLLECTIONS=${max})`,
      );
    },
  };
}
