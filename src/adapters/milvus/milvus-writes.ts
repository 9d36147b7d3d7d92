import type { CallContext } from '../../domain/context';
import { InvalidArgumentError } from '../../domain/errors';
import type { MetadataFilter, VectorRecord } from '../../domain/ports';
import { compileMilvusFilter } from '../filters';
import { lastPerId, validateStoreCollectionName, validateStoreIds, validateStoreRecords } from '../filters/store-input';
import { isCollectionMissing, throwIfFailed } from './milvus-errors';
import type { MilvusParts } from './milvus-parts';
import { countRows, existingIds, idsExpression } from './milvus-reads';
import { milvusRow } from './milvus-schema';

/** Ids per `id in [...]` expression. */
const ID_CHUNK = 1000;

/** Writes the records in batches of `batchSize` under the collection's lock (last record per id wins). */
export async function upsertRecords(
  { session, collections, flushes }: MilvusParts,
  collection: string,
  records: VectorRecord[],
  batchSize: number,
  ctx: CallContext,
): Promise<void> {
  validateStoreCollectionName(collection);
  const dimension = await collections.dimensionOf(collection, ctx);
  if (records.length === 0) return;
  validateStoreRecords(collection, records, dimension);
  const rows = lastPerId(records).map(milvusRow);
  await session.locked(collection, ctx, async () => {
    for (let i = 0; i < rows.length; i += batchSize) {
      const batch = rows.slice(i, i + batchSize);
      const res = await session.call(ctx, 'upsert', (timeout) =>
        session.client.upsert({ collection_name: collection, data: batch, timeout }),
      );
      session.check(res.status, 'upsert', collection);
      const written = Math.max(Number(res.upsert_cnt ?? 0), idCount(res.IDs));
      if (written !== batch.length || (res.err_index?.length ?? 0) > 0) {
        throwIfFailed({ error_code: 'UpsertIncomplete', reason: `${written} of ${batch.length} rows` }, 'upsert');
      }
    }
    await flushes.written(collection, rows.length, ctx);
  });
}

/** Deletes the ids the collection holds and returns how many it held. */
export async function deleteIds(
  parts: MilvusParts,
  collection: string,
  ids: string[],
  ctx: CallContext,
): Promise<number> {
  validateStoreCollectionName(collection);
  validateStoreIds(ids);
  await parts.collections.dimensionOf(collection, ctx);
  const unique = [...new Set(ids)];
  if (unique.length === 0) return 0;
  return parts.session.locked(collection, ctx, async () => {
    let deleted = 0;
    for (let i = 0; i < unique.length; i += ID_CHUNK) {
      // Milvus counts ids asked for, not rows removed: count the ones that exist first.
      const existing = await existingIds(parts, collection, unique.slice(i, i + ID_CHUNK), ctx);
      if (existing.length === 0) continue;
      await deleteByExpression(parts, collection, idsExpression(existing), ctx);
      deleted += existing.length;
    }
    return deleted;
  });
}

/** Deletes the rows matching every filter and returns how many there were. */
export async function deleteMatching(
  parts: MilvusParts,
  collection: string,
  filters: MetadataFilter[],
  ctx: CallContext,
): Promise<number> {
  validateStoreCollectionName(collection);
  if (filters.length === 0) throw InvalidArgumentError.of('filters', 'at least one filter is required');
  const expression = compileMilvusFilter(filters);
  await parts.collections.dimensionOf(collection, ctx);
  return parts.session.locked(collection, ctx, async () => {
    const count = await countRows(parts, collection, expression, ctx);
    if (count > 0) await deleteByExpression(parts, collection, expression, ctx);
    return count;
  });
}

/** Drops a collection if it exists, forgetting what was known of it. */
export async function dropCollection(
  { session, collections, flushes }: MilvusParts,
  name: string,
  ctx: CallContext,
): Promise<void> {
  validateStoreCollectionName(name);
  await session.locked(name, ctx, async () => {
    collections.forget(name);
    flushes.forget(name);
    const res = await session.call(ctx, 'drop collection', (timeout) =>
      session.client.dropCollection({ collection_name: name, timeout }),
    );
    if (!isCollectionMissing(res)) session.check(res, 'drop collection', name);
  });
}

async function deleteByExpression(
  { session }: MilvusParts,
  collection: string,
  filter: string,
  ctx: CallContext,
): Promise<void> {
  const res = await session.call(ctx, 'delete', (timeout) =>
    session.client.delete({ collection_name: collection, filter, timeout }),
  );
  session.check(res.status, 'delete', collection);
}

function idCount(ids: { str_id?: { data?: unknown[] }; int_id?: { data?: unknown[] } } | undefined): number {
  return ids?.str_id?.data?.length ?? ids?.int_id?.data?.length ?? 0;
}
