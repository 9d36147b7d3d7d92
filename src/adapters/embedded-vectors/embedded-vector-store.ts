import { mkdir } from 'node:fs/promises';
import { type CallContext, throwIfDone } from '../../domain/context';
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from '../../domain/errors';
import type {
  CollectionStats,
  LexicalQuery,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../domain/ports';
import { compileFilterPredicate } from '../filters';
import { assertLexicalQuery } from '../filters/lexical-input';
import {
  assertCollectionName,
  assertDimension,
  assertIds,
  assertQuery,
  assertRecords,
  lastPerId,
} from '../filters/store-input';
import { lockDirectory } from './directory-lock';
import { type OpenCollection, OpenCollections, io } from './open-collections';
import { type VectorCollection, toUnit } from './vector-collection';

/** Where and how the embedded store keeps its data. */
export interface EmbeddedVectorStoreOptions {
  /** Root directory; each collection lives in `<dir>/<collection>/`. */
  dir: string;
  /** The log is compacted into a snapshot once it exceeds both the snapshot and this. Default 16 MiB. */
  compactMinBytes?: number;
  /** The caller already holds the directory's lock (the threaded store takes it on its own thread). */
  lockHeld?: boolean;
}

/**
 * In-process VectorStore persisted under a directory: exact (brute-force) cosine search over
 * unit vectors held in memory, an fsynced append-only log per collection, compacted into a
 * snapshot (see CollectionFiles). Every collection also answers lexical (BM25) searches from
 * an index rebuilt from its texts when it loads (see Bm25Index). Filters mean what they mean
 * on Milvus (see ../filters).
 * One process at a time: the directory is locked while open.
 */
export class EmbeddedVectorStore implements VectorStore {
  private readonly collections: OpenCollections;
  private closing: Promise<void> | undefined;

  private constructor(
    directory: string,
    compactMinBytes: number,
    private readonly unlock: () => Promise<void>,
  ) {
    this.collections = new OpenCollections(directory, compactMinBytes);
  }

  /** Opens (creating if needed) the store in `options.dir` and locks it; see openEmbeddedVectorStore. */
  static async open(options: EmbeddedVectorStoreOptions): Promise<EmbeddedVectorStore> {
    await io(`open ${options.dir}`, () => mkdir(options.dir, { recursive: true }));
    const unlock = options.lockHeld
      ? async () => undefined
      : await io(`lock ${options.dir}`, () => lockDirectory(options.dir));
    return new EmbeddedVectorStore(options.dir, options.compactMinBytes ?? 16 << 20, unlock);
  }

  async ensureCollection(name: string, dimension: number, ctx: CallContext): Promise<void> {
    this.begin(name, ctx);
    assertDimension(dimension);
    const open = await this.collections.getOrCreate(name, dimension);
    checkDimension(name, open.collection.dimension, dimension);
  }

  async upsert(collection: string, records: VectorRecord[], ctx: CallContext): Promise<void> {
    this.begin(collection, ctx);
    const open = await this.collections.require(collection);
    if (records.length === 0) return;
    assertRecords(collection, records, open.collection.dimension);
    const stored = lastPerId(records).map((r) => ({
      id: r.id,
      text: r.text,
      metadata: r.metadata,
      unit: toUnit(r.vector),
    }));
    await this.collections.write(open, async () => {
      // Room first: a write the memory cannot hold must fail before it reaches the log.
      open.collection.reserve(open.collection.size + stored.length);
      await io(`write to collection "${collection}"`, () => open.files.appendUpserts(stored));
      for (const record of stored) open.collection.put(record);
    });
  }

  async delete(collection: string, ids: string[], ctx: CallContext): Promise<number> {
    this.begin(collection, ctx);
    assertIds(ids);
    const open = await this.collections.require(collection);
    return this.collections.write(open, () => this.remove(open, (c) => [...new Set(ids)].filter((id) => c.has(id))));
  }

  async deleteWhere(collection: string, filters: MetadataFilter[], ctx: CallContext): Promise<number> {
    this.begin(collection, ctx);
    if (filters.length === 0) throw InvalidArgumentError.of('filters', 'at least one filter is required');
    const predicate = compileFilterPredicate(filters);
    const open = await this.collections.require(collection);
    return this.collections.write(open, () => this.remove(open, (c) => c.matching(predicate)));
  }

  async scan(collection: string, limit: number, ctx: CallContext): Promise<VectorRecord[]> {
    this.begin(collection, ctx);
    const open = await this.collections.require(collection);
    const records: VectorRecord[] = [];
    for (const r of open.collection.records()) {
      if (records.length >= limit) break;
      records.push({ id: r.id, text: r.text, metadata: r.metadata, vector: Array.from(r.unit) });
    }
    return records;
  }

  async search(collection: string, query: VectorQuery, ctx: CallContext): Promise<VectorHit[]> {
    this.begin(collection, ctx);
    const predicate = query.filters.length > 0 ? compileFilterPredicate(query.filters) : undefined;
    const open = await this.collections.require(collection);
    assertQuery(collection, query, open.collection.dimension);
    return open.collection.search(toUnit(query.vector), query.limit, predicate);
  }

  async searchLexical(collection: string, query: LexicalQuery, ctx: CallContext): Promise<VectorHit[]> {
    this.begin(collection, ctx);
    assertLexicalQuery(query);
    const predicate = query.filters.length > 0 ? compileFilterPredicate(query.filters) : undefined;
    const open = await this.collections.require(collection);
    return open.collection.searchLexical(query.text, query.limit, predicate);
  }

  /** Nothing to add: every collection's BM25 index is rebuilt from its texts when it loads. */
  async addLexical(collection: string, ctx: CallContext): Promise<{ added: boolean; documents: number }> {
    this.begin(collection, ctx);
    const open = await this.collections.require(collection);
    return { added: false, documents: open.collection.size };
  }

  async listCollections(ctx: CallContext): Promise<CollectionStats[]> {
    this.begin(undefined, ctx);
    const stats: CollectionStats[] = [];
    for (const name of await this.collections.names()) {
      const open = await this.collections.get(name);
      if (open) stats.push({ name, count: open.collection.size, dimension: open.collection.dimension, lexical: true });
    }
    return stats;
  }

  /** Deletes the collection and its files (after its pending writes); a missing one is a no-op. */
  async dropCollection(name: string, ctx: CallContext): Promise<void> {
    this.begin(name, ctx);
    await this.collections.drop(name);
  }

  async ping(ctx: CallContext): Promise<void> {
    this.begin(undefined, ctx);
  }

  /** Waits for pending writes and compactions, closes the files and unlocks the directory. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.collections.closeAll();
      await this.unlock();
    })();
    return this.closing;
  }

  private begin(collection: string | undefined, ctx: CallContext): void {
    if (this.closing) throw new UnavailableError('embedded vector store is closed');
    throwIfDone(ctx);
    if (collection !== undefined) assertCollectionName(collection);
  }

  private async remove(open: OpenCollection, select: (collection: VectorCollection) => string[]): Promise<number> {
    const ids = select(open.collection);
    await io(`write to collection "${open.collection.name}"`, () => open.files.appendDelete(ids));
    for (const id of ids) open.collection.remove(id);
    return ids.length;
  }
}

/** Opens the embedded store in `options.dir` (created if missing); collections load on first use. */
export function openEmbeddedVectorStore(options: EmbeddedVectorStoreOptions): Promise<EmbeddedVectorStore> {
  return EmbeddedVectorStore.open(options);
}

function checkDimension(name: string, actual: number, wanted: number): void {
  if (actual !== wanted) {
    throw new FailedPreconditionError(
      `collection "${name}" exists with dimension ${actual}, which differs from the requested dimension ${wanted}`,
    );
  }
}
