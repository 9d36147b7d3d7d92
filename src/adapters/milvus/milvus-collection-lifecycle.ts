import { setTimeout as delay } from 'node:timers/promises';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { type CallContext, remainingMs, throwIfDone } from '../../domain/context';
import { FailedPreconditionError } from '../../domain/errors';
import { raceContext } from '../../domain/race-context';
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

/** How many times a create that lost a race with another process's create is tried again. */
const CREATE_ATTEMPTS = 4;
/** The pause before the first retry; it doubles each time. */
const CREATE_RETRY_MS = 100;

/**
 * Creates a collection with recall's schema and a COSINE index (Strong consistency) and, on
 * a server with the BM25 function, its lexical side: analysed text, a sparse field filled by
 * the server and a BM25 index on it. Replicas starting together race to create the same
 * collection: a create that fails while another one succeeds accepts the winner's collection
 * (if its dimension fits), and a create that failed with nothing to show for it is tried again.
 */
export async function createCollection(
  lifecycle: CollectionLifecycle,
  name: string,
  dimension: number,
  ctx: CallContext,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const failure = await tryCreateCollection(lifecycle, name, dimension, ctx);
    if (failure === undefined) return;
    // Another process (a second replica starting) may have created it meanwhile: accept it if it fits.
    const existing = await describeCollection(lifecycle, name, ctx);
    if (existing !== undefined) return validateStoreCollectionDimension(name, existing.dimension, dimension);
    const pause = CREATE_RETRY_MS * 2 ** (attempt - 1);
    if (attempt >= CREATE_ATTEMPTS || remainingMs(ctx) <= pause) {
      if ('error' in failure) throw failure.error;
      throwIfFailed(failure.status, 'create collection', name);
    }
    await raceContext(delay(pause, undefined, { ref: false }), ctx);
  }
}

/** One create: undefined when it succeeded, else the failed status or the error it threw. */
async function tryCreateCollection(
  lifecycle: CollectionLifecycle,
  name: string,
  dimension: number,
  ctx: CallContext,
): Promise<{ status: MilvusStatus } | { error: unknown } | undefined> {
  const { client, call, indexType } = lifecycle;
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
    return isSuccess(res) ? undefined : { status: res };
  } catch (error) {
    // Milvus Lite answers a create racing another process's create of the same name with a
    // gRPC CANCELLED or an internal error; the caller's own deadline or cancellation still
    // ends the call here.
    throwIfDone(ctx);
    return { error };
  }
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
