import type { CallContext } from '../../domain/context';
import { FailedPreconditionError, NotFoundError } from '../../domain/errors';
import type { CollectionStats, VectorHit, VectorQuery, VectorRecord } from '../../domain/ports';
import { compileMilvusFilter, milvusLiteral } from '../filters';
import { validateStoreCollectionName, validateStoreQuery } from '../filters/store-input';
import { isCollectionNotLoaded, throwIfFailed } from './milvus-errors';
import { type MilvusParts, OUTPUT_FIELDS, hitOf, isObject } from './milvus-parts';
import { FIELDS, searchParams } from './milvus-schema';

/** Milvus caps one query's offset + limit at 16384 rows. */
const MAX_QUERY_ROWS = 16_384;

/** Up to `limit` stored records with their vectors (VectorStore.scan). */
export async function scanRecords(
  { session, collections }: MilvusParts,
  collection: string,
  limit: number,
  ctx: CallContext,
): Promise<VectorRecord[]> {
  validateStoreCollectionName(collection);
  await collections.dimensionOf(collection, ctx);
  const res = await session.call(ctx, 'scan', (timeout) =>
    session.client.query({
      collection_name: collection,
      filter: `${FIELDS.id} != ""`,
      output_fields: [FIELDS.id, FIELDS.vector, FIELDS.text, FIELDS.metadata],
      limit: Math.min(limit, MAX_QUERY_ROWS),
      consistency_level: session.consistency.sdkLevelFor(collection),
      timeout,
    }),
  );
  session.check(res.status, 'scan', collection);
  return (res.data as Record<string, unknown>[]).map((row) => ({
    id: String(row.id),
    text: typeof row.text === 'string' ? row.text : '',
    metadata: isObject(row.metadata) ? row.metadata : {},
    vector: Array.isArray(row.vector) ? row.vector.map(Number) : [],
  }));
}

/** Dense search by COSINE similarity (VectorStore.search); a collection released meanwhile is loaded again once. */
export async function searchDense(
  parts: MilvusParts,
  collection: string,
  query: VectorQuery,
  ctx: CallContext,
): Promise<VectorHit[]> {
  const { session, collections, flushes } = parts;
  validateStoreCollectionName(collection);
  const filter = compileMilvusFilter(query.filters);
  const dimension = await collections.dimensionOf(collection, ctx);
  validateStoreQuery(collection, query, dimension);
  await flushes.sealForRead(collection, ctx);
  const run = () =>
    session.call(ctx, 'search', (timeout) =>
      session.client.search({
        collection_name: collection,
        anns_field: FIELDS.vector,
        data: query.vector,
        limit: query.limit,
        ...(filter ? { filter } : {}),
        output_fields: OUTPUT_FIELDS,
        metric_type: 'COSINE',
        params: searchParams(session.indexType, query.limit),
        consistency_level: session.consistency.sdkLevelFor(collection),
        timeout,
      }),
    );
  let res = await run();
  if (isCollectionNotLoaded(res.status)) {
    // Released behind our back (Milvus restarted): load it again and retry once.
    collections.unload(collection);
    await collections.dimensionOf(collection, ctx);
    res = await run();
  }
  session.check(res.status, 'search', collection);
  // COSINE in Milvus is the similarity itself; float error can step just outside [-1, 1].
  return (res.results as Record<string, unknown>[]).map((hit) =>
    hitOf(hit, Math.max(-1, Math.min(1, Number(hit.score)))),
  );
}

/** Collections with recall's schema (others in the database are left out), by name. */
export async function listCollections(parts: MilvusParts, ctx: CallContext): Promise<CollectionStats[]> {
  const { session, collections } = parts;
  const res = await session.call(ctx, 'list collections', (timeout) => session.client.showCollections({ timeout }));
  session.check(res.status, 'list collections');
  const names = (res.data ?? []).map((c) => c.name).sort();
  const stats = await Promise.all(
    names.map(async (name): Promise<CollectionStats | undefined> => {
      try {
        const dimension = await collections.dimensionOf(name, ctx);
        const count = await countRows(parts, name, '', ctx);
        return { name, count, dimension, lexical: await collections.hasLexical(name, ctx) };
      } catch (error) {
        // Dropped meanwhile, or not a recall collection: not ours to list.
        if (error instanceof NotFoundError || error instanceof FailedPreconditionError) return undefined;
        throw error;
      }
    }),
  );
  return stats.filter((s): s is CollectionStats => s !== undefined);
}

/** Which of `ids` the collection holds. */
export async function existingIds(
  { session }: MilvusParts,
  collection: string,
  ids: string[],
  ctx: CallContext,
): Promise<string[]> {
  const res = await session.call(ctx, 'query', (timeout) =>
    session.client.query({
      collection_name: collection,
      filter: idsExpression(ids),
      output_fields: [FIELDS.id],
      limit: ids.length,
      consistency_level: session.consistency.sdkLevelFor(collection),
      timeout,
    }),
  );
  session.check(res.status, 'query', collection);
  return res.data.map((row) => String(row[FIELDS.id]));
}

/** Rows matching a filter expression ('' for all). */
export async function countRows(
  { session }: MilvusParts,
  collection: string,
  expression: string,
  ctx: CallContext,
): Promise<number> {
  const res = await session.call(ctx, 'count', (timeout) =>
    session.client.query({
      collection_name: collection,
      filter: expression,
      output_fields: ['count(*)'],
      consistency_level: session.consistency.sdkLevelFor(collection),
      timeout,
    }),
  );
  session.check(res.status, 'count', collection);
  const count = Number(res.data[0]?.['count(*)']);
  if (!Number.isInteger(count) || count < 0) throwIfFailed({ error_code: 'BadCount', reason: 'no count' }, 'count');
  return count;
}

/** A filter expression matching the given ids. */
export function idsExpression(ids: string[]): string {
  return `${FIELDS.id} in [${ids.map(milvusLiteral).join(', ')}]`;
}
