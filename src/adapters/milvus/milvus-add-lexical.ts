import type { ConsistencyLevelEnum, RowData } from '@zilliz/milvus2-sdk-node';
import type { CallContext } from '../../domain/context';
import { FailedPreconditionError, NotFoundError } from '../../domain/errors';
import { milvusLiteral } from '../filters';
import { validateStoreCollectionDimension } from '../filters/store-input';
import {
  type CollectionLifecycle,
  createCollection,
  describeCollection,
  loadCollection,
} from './milvus-collection-lifecycle';
import { isCollectionMissing, throwIfFailed } from './milvus-errors';
import { FIELDS, nfc } from './milvus-schema';

/** Reads that must see every earlier write of this run (Lite ignores levels; a real Milvus does not). */
const STRONG = 'Strong' as unknown as ConsistencyLevelEnum;
/** Rows moved per step. */
const BATCH = 500;

/** What giving a collection its lexical side did. */
export interface AddLexicalResult {
  /** False when the collection already had one. */
  added: boolean;
  /** Documents in the collection afterwards. */
  documents: number;
}

/** The rebuilt collection's name while the rebuild runs. */
export function rebuildName(name: string): string {
  return `${name}_lexical_rebuild`;
}

/**
 * Rebuilds a dense-only collection as a lexical one from its stored rows: a new collection
 * with the BM25 schema is created beside it, rows are moved into it in batches (upserted
 * there, then deleted here — Milvus Lite's queries have no stable order to page by, so the
 * old collection is drained instead), and once the old one is empty it is dropped and the new
 * one renamed into its place. Every row lives in one of the two at any time, so a run that
 * stops half-way is resumed by running it again. Searches meanwhile see part of the rows:
 * run it in a maintenance window.
 */
export async function addLexicalSide(
  lifecycle: CollectionLifecycle,
  name: string,
  ctx: CallContext,
): Promise<AddLexicalResult> {
  const { client, call } = lifecycle;
  const target = rebuildName(name);
  const existing = await describeCollection(lifecycle, name, ctx);
  const pending = await describeCollection(lifecycle, target, ctx);
  if (!existing && !pending) throw new NotFoundError(`collection "${name}" does not exist`);
  if (existing?.lexical && !pending) return { added: false, documents: await count(lifecycle, name, ctx) };
  if (!(await lifecycle.serverHasBm25(ctx))) {
    throw new FailedPreconditionError('this Milvus server has no BM25 function (Milvus 2.5 or later is needed)');
  }

  if (existing) {
    if (pending) validateStoreCollectionDimension(target, pending.dimension, existing.dimension);
    else await createCollection(lifecycle, target, existing.dimension, ctx);
    await loadCollection(lifecycle, name, ctx);
    await loadCollection(lifecycle, target, ctx);
    for (;;) {
      const res = await call(ctx, 'query', (timeout) =>
        client.query({
          collection_name: name,
          filter: `${FIELDS.id} != ""`,
          output_fields: [FIELDS.id, FIELDS.vector, FIELDS.text, FIELDS.metadata],
          limit: BATCH,
          consistency_level: STRONG,
          timeout,
        }),
      );
      throwIfFailed(res.status, 'query', name);
      // Rows written before texts were stored NFC are analysed as NFC in their new home.
      const rows = (res.data as RowData[]).map(
        (row): RowData => ({
          ...row,
          [FIELDS.text]: nfc(String(row[FIELDS.text] ?? '')),
        }),
      );
      if (rows.length === 0) break;
      const upserted = await call(ctx, 'upsert', (timeout) =>
        client.upsert({ collection_name: target, data: rows, timeout }),
      );
      throwIfFailed(upserted.status, 'upsert', target);
      const ids = rows.map((row) => milvusLiteral(String(row[FIELDS.id])));
      const deleted = await call(ctx, 'delete', (timeout) =>
        client.delete({ collection_name: name, filter: `${FIELDS.id} in [${ids.join(', ')}]`, timeout }),
      );
      throwIfFailed(deleted.status, 'delete', name);
    }
    const dropped = await call(ctx, 'drop collection', (timeout) =>
      client.dropCollection({ collection_name: name, timeout }),
    );
    if (!isCollectionMissing(dropped)) throwIfFailed(dropped, 'drop collection', name);
  }
  const renamed = await call(ctx, 'rename collection', (timeout) =>
    client.renameCollection({ collection_name: target, new_collection_name: name, timeout }),
  );
  throwIfFailed(renamed, 'rename collection', target);
  await loadCollection(lifecycle, name, ctx);
  return { added: true, documents: await count(lifecycle, name, ctx) };
}

async function count({ client, call }: CollectionLifecycle, name: string, ctx: CallContext): Promise<number> {
  const res = await call(ctx, 'count', (timeout) =>
    client.query({
      collection_name: name,
      filter: '',
      output_fields: ['count(*)'],
      consistency_level: STRONG,
      timeout,
    }),
  );
  throwIfFailed(res.status, 'count', name);
  return Number(res.data[0]?.['count(*)'] ?? 0);
}
