import type { CallContext } from '../../domain/context';
import type { LexicalQuery, VectorHit } from '../../domain/ports';
import { compileMilvusFilter } from '../filters';
import { validateStoreLexicalQuery } from '../filters/lexical-input';
import { validateStoreCollectionName } from '../filters/store-input';
import { type AddLexicalResult, addLexicalSide } from './milvus-add-lexical';
import { type MilvusParts, OUTPUT_FIELDS, hitOf } from './milvus-parts';
import { FIELDS, nfc } from './milvus-schema';

/**
 * BM25 search by raw text, scored by the server, or undefined for a dense-only collection.
 * Milvus Lite reports BM25 scores negated (e.g. −2.17), Milvus 2.5 as they are: their
 * magnitude is the score either way.
 */
export async function searchLexical(
  { session, collections, flushes }: MilvusParts,
  collection: string,
  query: LexicalQuery,
  ctx: CallContext,
): Promise<VectorHit[] | undefined> {
  validateStoreCollectionName(collection);
  validateStoreLexicalQuery(query);
  const filter = compileMilvusFilter(query.filters);
  await collections.dimensionOf(collection, ctx);
  if (!(await collections.hasLexical(collection, ctx))) return undefined;
  await flushes.sealForRead(collection, ctx);
  const res = await session.call(ctx, 'lexical search', (timeout) =>
    session.client.search({
      collection_name: collection,
      anns_field: FIELDS.sparse,
      data: nfc(query.text),
      limit: query.limit,
      ...(filter ? { filter } : {}),
      output_fields: OUTPUT_FIELDS,
      metric_type: 'BM25',
      params: {},
      consistency_level: session.consistency.sdkLevelFor(collection),
      timeout,
    }),
  );
  session.check(res.status, 'lexical search', collection);
  return (res.results as Record<string, unknown>[])
    .map((hit) => hitOf(hit, Math.abs(Number(hit.score))))
    .sort((a, b) => b.score - a.score);
}

/** Rebuilds a dense-only collection with its lexical side (see addLexicalSide), under its write lock. */
export async function addLexical(
  { session, collections }: MilvusParts,
  collection: string,
  ctx: CallContext,
): Promise<AddLexicalResult> {
  validateStoreCollectionName(collection);
  return session.locked(collection, ctx, async () => {
    try {
      return await addLexicalSide(session, collection, ctx);
    } finally {
      collections.forget(collection);
    }
  });
}
