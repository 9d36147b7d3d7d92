import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { type CallContext, throwIfDone } from '../../domain/context';
import { FailedPreconditionError } from '../../domain/errors';
import { validateStoreCollectionDimension } from '../filters/store-input';
import { type MilvusStatus, isCollectionMissing, isSuccess, throwIfFailed } from './milvus-errors';
import {
  type MilvusIndexType,
  bm25Function,
  collectionFields,
  describedDimension,
  describedLexical,
  sparseIndex,
  vectorIndex,
} from './milvus-schema';

/** What the collection set-up steps need from the store. */
export interface CollectionLifecycle {
  client: MilvusClient;
  /** Runs an SDK call under the caller's deadline (see callMilvus). */
  call<T>(ctx: CallContext, what: string, run: (timeoutMs: number) => Promise<T>): Promise<T>;
  indexType: MilvusIndexType;
  /** Whether the server has the BM25 function, so new collections get a lexical side. */
  serverHasBm25(ctx: CallContext): Promise<boolean>;
}

/** What a described recall collection is: its dimension and whether it has a lexical side. */
export interface CollectionShape {
  dimension: number;
  lexical: boolean;
}

/**
 * The dimension of an existing recall collection and whether it has a lexical side, or
 * undefined when there is none; FailedPreconditionError when the collection exists without
 * recall's schema.
 */
export async function describeCollection(
  { client, call }: CollectionLifecycle,
  name: string,
  ctx: CallContext,
): Promise<CollectionShape | undefined> {
  const res = await call(ctx, 'describe collection', (timeout) =>
    client.describeCollection({ collection_name: name, timeout }),
  );
  if (isCollectionMissing(res.status)) return undefined;
  throwIfFailed(res.status, 'describe collection', name);
  const dimension = describedDimension(res.schema);
  if (typeof dimension === 'string') {
    throw new FailedPreconditionError(`collection "${name}" was not created by recall: ${dimension}`);
  }
  return { dimension, lexical: describedLexical(res.schema) };
}

/**
 * Creates a collection with recall's schema and a COSINE index (Strong consistency) and, on
 * a server with the BM25 function, its lexical side: analysed text, a sparse field filled by
 * the server and a BM25 index on it.
 */
export async function createCollection(
  lifecycle: CollectionLifecycle,
  name: string,
  dimension: number,
  ctx: CallContext,
): Promise<void> {
  const { client, call, indexType } = lifecycle;
  let failure: { status: MilvusStatus } | { error: unknown };
  try {
    const lexical = await lifecycle.serverHasBm25(ctx);
    const res = await call(ctx, 'create collection', (timeout) =>
      client.createCollection({
        collection_name: name,
        fields: collectionFields(dimension, lexical),
        ...(lexical ? { functions: [bm25Function()] } : {}),
        index_params: lexical ? [vectorIndex(indexType), sparseIndex()] : [vectorIndex(indexType)],
        consistency_level: 'Strong',
        timeout,
      }),
    );
    if (isSuccess(res)) return;
    failure = { status: res };
  } catch (error) {
    // Milvus Lite answers a create racing another process's create of the same name with a
    // gRPC CANCELLED; the caller's own deadline or cancellation still ends the call here.
    throwIfDone(ctx);
    failure = { error };
  }
  // Another process (a second replica starting) may have created it meanwhile: accept it if it fits.
  const existing = await describeCollection(lifecycle, name, ctx);
  if (existing !== undefined) return validateStoreCollectionDimension(name, existing.dimension, dimension);
  if ('error' in failure) throw failure.error;
  throwIfFailed(failure.status, 'create collection', name);
}

/** Loads the collection unless it already is (a real Milvus searches loaded collections only). */
export async function loadCollection(
  { client, call }: CollectionLifecycle,
  name: string,
  ctx: CallContext,
): Promise<void> {
  const state = await call(ctx, 'load state', (timeout) => client.getLoadState({ collection_name: name, timeout }));
  throwIfFailed(state.status, 'load state', name);
  if (state.state === 'LoadStateLoaded') return;
  const res = await call(ctx, 'load collection', (timeout) =>
    client.loadCollectionSync({ collection_name: name, timeout }),
  );
  throwIfFailed(res, 'load collection', name);
}
