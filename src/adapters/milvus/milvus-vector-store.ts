import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { CallContext } from '../../domain/context';
import type {
  CollectionStats,
  LexicalQuery,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../domain/ports';
import { validateStoreCollectionName } from '../filters/store-input';
import { LiteFlushes } from './lite-flushes';
import { LoadedCollections } from './loaded-collections';
import type { AddLexicalResult } from './milvus-add-lexical';
import { addLexical, searchLexical } from './milvus-lexical';
import type { MilvusParts } from './milvus-parts';
import { listCollections, scanRecords, searchDense } from './milvus-reads';
import { MilvusSession, type MilvusVectorStoreOptions } from './milvus-session';
import { deleteIds, deleteMatching, dropCollection, upsertRecords } from './milvus-writes';

export type { MilvusVectorStoreOptions } from './milvus-session';

/**
 * VectorStore on a Milvus server (or Milvus Lite) through @zilliz/milvus2-sdk-node. Each
 * collection has an explicit schema (id VarChar PK, vector FloatVector, text VarChar,
 * metadata JSON) and a COSINE index, and is loaded before use. On a server with the BM25
 * function (Milvus 2.5+, Milvus Lite 3) new collections also get a lexical side scored by the
 * server; older collections, and every collection on an older server, stay dense-only and
 * say so (`lexical: false`, searchLexical resolving to undefined). Every call carries a timeout
 * from the caller's deadline; writes to one collection are serialised; reads take the
 * consistency level ReadConsistency chooses (by default Strong only where this process
 * could otherwise miss its own writes). On Milvus Lite a collection is flushed before the
 * first search after writes, which Lite would otherwise search unindexed (see LiteFlushes).
 *
 * A thin facade: the connection is MilvusSession, the collections' state LoadedCollections,
 * and the reads, writes and lexical search live in milvus-reads, milvus-writes and milvus-lexical.
 */
export class MilvusVectorStore implements VectorStore {
  private readonly parts: MilvusParts;
  private readonly batchSize: number;

  constructor(options: MilvusVectorStoreOptions, client?: MilvusClient) {
    this.batchSize = options.batchSize ?? 500;
    const session = new MilvusSession(options, client, (name) => collections.unload(name));
    const flushes = new LiteFlushes(session, options.flushAfterRows ?? Number.POSITIVE_INFINITY);
    const collections = new LoadedCollections(session, flushes);
    this.parts = { session, collections, flushes };
  }

  ensureCollection(name: string, dimension: number, ctx: CallContext): Promise<void> {
    return this.parts.collections.ensure(name, dimension, ctx);
  }

  upsert(collection: string, records: VectorRecord[], ctx: CallContext): Promise<void> {
    return upsertRecords(this.parts, collection, records, this.batchSize, ctx);
  }

  /** Seals what was written to the collection so it is indexed (see `flushAfterRows`). */
  async flush(collection: string, ctx: CallContext): Promise<void> {
    const { session, collections, flushes } = this.parts;
    validateStoreCollectionName(collection);
    await collections.dimensionOf(collection, ctx);
    await session.locked(collection, ctx, () => flushes.flushLocked(collection, ctx));
  }

  delete(collection: string, ids: string[], ctx: CallContext): Promise<number> {
    return deleteIds(this.parts, collection, ids, ctx);
  }

  deleteWhere(collection: string, filters: MetadataFilter[], ctx: CallContext): Promise<number> {
    return deleteMatching(this.parts, collection, filters, ctx);
  }

  scan(collection: string, limit: number, ctx: CallContext): Promise<VectorRecord[]> {
    return scanRecords(this.parts, collection, limit, ctx);
  }

  search(collection: string, query: VectorQuery, ctx: CallContext): Promise<VectorHit[]> {
    return searchDense(this.parts, collection, query, ctx);
  }

  /** BM25 search by raw text, scored by the server (see milvus-lexical). */
  searchLexical(collection: string, query: LexicalQuery, ctx: CallContext): Promise<VectorHit[] | undefined> {
    return searchLexical(this.parts, collection, query, ctx);
  }

  /** Rebuilds a dense-only collection with its lexical side (see addLexicalSide); run it in a maintenance window. */
  addLexical(collection: string, ctx: CallContext): Promise<AddLexicalResult> {
    return addLexical(this.parts, collection, ctx);
  }

  /** Collections with recall's schema (others in the database are left out), by name. */
  listCollections(ctx: CallContext): Promise<CollectionStats[]> {
    return listCollections(this.parts, ctx);
  }

  async ping(ctx: CallContext): Promise<void> {
    const { session } = this.parts;
    // showCollections takes a timeout (getVersion and checkHealth do not) and is cheap.
    const res = await session.call(ctx, 'ping', (timeout) => session.client.showCollections({ timeout }));
    session.check(res.status, 'ping');
  }

  /** Drops a collection if it exists (the re-embed, tests and operators). */
  dropCollection(name: string, ctx: CallContext): Promise<void> {
    return dropCollection(this.parts, name, ctx);
  }

  close(): Promise<void> {
    return this.parts.session.close();
  }
}
