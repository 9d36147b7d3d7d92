import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type CallContext, throwIfDone } from '../../domain/context';
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  RecallError,
  UnavailableError,
} from '../../domain/errors';
import type {
  CollectionStats,
  LexicalQuery,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../domain/ports';
import { STORED_COLLECTION_NAME_PATTERN } from '../../domain/search/search-rules';
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
import { CollectionFiles } from './collection-files';
import { lockDirectory } from './directory-lock';
import { VectorCollection, toUnit } from './vector-collection';

/** Where and how the embedded store keeps its data. */
export interface EmbeddedVectorStoreOptions {
  /** Root directory; each collection lives in `<dir>/<collection>/`. */
  dir: string;
  /** The log is compacted into a snapshot once it exceeds both the snapshot and this. Default 16 MiB. */
  compactMinBytes?: number;
}

interface Open {
  collection: VectorCollection;
  files: CollectionFiles;
  /** Writes to this collection, in order (each one appends to its log). */
  tail: Promise<unknown>;
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
  private readonly collections = new Map<string, Promise<Open | undefined>>();
  private readonly creating = new Map<string, Promise<Open>>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly directory: string,
    private readonly compactMinBytes: number,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Opens (creating if needed) the store in `options.dir` and locks it; see openEmbeddedVectorStore. */
  static async open(options: EmbeddedVectorStoreOptions): Promise<EmbeddedVectorStore> {
    await io(`open ${options.dir}`, () => mkdir(options.dir, { recursive: true }));
    const unlock = await io(`lock ${options.dir}`, () => lockDirectory(options.dir));
    return new EmbeddedVectorStore(options.dir, options.compactMinBytes ?? 16 << 20, unlock);
  }

  async ensureCollection(name: string, dimension: number, ctx: CallContext): Promise<void> {
    this.begin(name, ctx);
    assertDimension(dimension);
    const open = await this.getOrCreate(name, dimension);
    checkDimension(name, open.collection.dimension, dimension);
  }

  async upsert(collection: string, records: VectorRecord[], ctx: CallContext): Promise<void> {
    this.begin(collection, ctx);
    const open = await this.require(collection);
    if (records.length === 0) return;
    assertRecords(collection, records, open.collection.dimension);
    const stored = lastPerId(records).map((r) => ({
      id: r.id,
      text: r.text,
      metadata: r.metadata,
      unit: toUnit(r.vector),
    }));
    await this.write(open, async () => {
      // Room first: a write the memory cannot hold must fail before it reaches the log.
      open.collection.reserve(open.collection.size + stored.length);
      await io(`write to collection "${collection}"`, () => open.files.appendUpserts(stored));
      for (const record of stored) open.collection.put(record);
    });
  }

  async delete(collection: string, ids: string[], ctx: CallContext): Promise<number> {
    this.begin(collection, ctx);
    assertIds(ids);
    const open = await this.require(collection);
    return this.write(open, () => this.remove(open, (c) => [...new Set(ids)].filter((id) => c.has(id))));
  }

  async deleteWhere(collection: string, filters: MetadataFilter[], ctx: CallContext): Promise<number> {
    this.begin(collection, ctx);
    if (filters.length === 0) throw InvalidArgumentError.of('filters', 'at least one filter is required');
    const predicate = compileFilterPredicate(filters);
    const open = await this.require(collection);
    return this.write(open, () => this.remove(open, (c) => c.matching(predicate)));
  }

  async scan(collection: string, limit: number, ctx: CallContext): Promise<VectorRecord[]> {
    this.begin(collection, ctx);
    const open = await this.require(collection);
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
    const open = await this.require(collection);
    assertQuery(collection, query, open.collection.dimension);
    return open.collection.search(toUnit(query.vector), query.limit, predicate);
  }

  async searchLexical(collection: string, query: LexicalQuery, ctx: CallContext): Promise<VectorHit[]> {
    this.begin(collection, ctx);
    assertLexicalQuery(query);
    const predicate = query.filters.length > 0 ? compileFilterPredicate(query.filters) : undefined;
    const open = await this.require(collection);
    return open.collection.searchLexical(query.text, query.limit, predicate);
  }

  /** Nothing to add: every collection's BM25 index is rebuilt from its texts when it loads. */
  async addLexical(collection: string, ctx: CallContext): Promise<{ added: boolean; documents: number }> {
    this.begin(collection, ctx);
    const open = await this.require(collection);
    return { added: false, documents: open.collection.size };
  }

  async listCollections(ctx: CallContext): Promise<CollectionStats[]> {
    this.begin(undefined, ctx);
    const entries = await io('list collections', () => readdir(this.directory, { withFileTypes: true }));
    const names = entries
      .filter((e) => e.isDirectory() && STORED_COLLECTION_NAME_PATTERN.test(e.name))
      .map((e) => e.name);
    const stats: CollectionStats[] = [];
    for (const name of names.sort()) {
      const open = await this.get(name);
      if (open) stats.push({ name, count: open.collection.size, dimension: open.collection.dimension, lexical: true });
    }
    return stats;
  }

  /** Deletes the collection and its files (after its pending writes); a missing one is a no-op. */
  async dropCollection(name: string, ctx: CallContext): Promise<void> {
    this.begin(name, ctx);
    const open = await this.get(name);
    if (open) {
      await open.tail.catch(() => undefined);
      await open.files.close();
    }
    this.collections.delete(name);
    await io(`drop collection "${name}"`, () => rm(this.dir(name), { recursive: true, force: true }));
  }

  async ping(ctx: CallContext): Promise<void> {
    this.begin(undefined, ctx);
  }

  /** Waits for pending writes and compactions, closes the files and unlocks the directory. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const opened = await Promise.all([...this.collections.values()].map((p) => p.catch(() => undefined)));
      for (const open of opened) {
        if (!open) continue;
        await open.tail.catch(() => undefined);
        await open.files.close();
      }
      this.collections.clear();
      await this.unlock();
    })();
    return this.closing;
  }

  private begin(collection: string | undefined, ctx: CallContext): void {
    if (this.closing) throw new UnavailableError('embedded vector store is closed');
    throwIfDone(ctx);
    if (collection !== undefined) assertCollectionName(collection);
  }

  private dir(name: string): string {
    return join(this.directory, name);
  }

  /** The open collection, loading it from disk on first use; undefined when it does not exist. */
  private get(name: string): Promise<Open | undefined> {
    let entry = this.collections.get(name);
    if (!entry) {
      entry = io(`load collection "${name}"`, async () => {
        const dimension = await CollectionFiles.dimension(this.dir(name));
        if (dimension === undefined) return undefined;
        const [files, collection] = await CollectionFiles.load(this.dir(name), name, dimension);
        return { collection, files, tail: Promise.resolve() };
      });
      this.remember(name, entry);
    }
    return entry;
  }

  /** The collection, created with `dimension` if missing; creations of one name run one at a time. */
  private getOrCreate(name: string, dimension: number): Promise<Open> {
    const previous = this.creating.get(name) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async (): Promise<Open> => {
        const existing = await this.get(name);
        if (existing) return existing;
        const created = io(`create collection "${name}"`, async () => ({
          collection: new VectorCollection(name, dimension),
          files: await CollectionFiles.create(this.dir(name), dimension),
          tail: Promise.resolve() as Promise<unknown>,
        }));
        this.remember(name, created);
        return created;
      });
    this.creating.set(name, next);
    const forget = () => {
      if (this.creating.get(name) === next) this.creating.delete(name);
    };
    next.then(forget, forget);
    return next;
  }

  /** Keeps `entry` for `name` unless it fails or finds nothing: then the next call looks again. */
  private remember(name: string, entry: Promise<Open | undefined>): void {
    this.collections.set(name, entry);
    const forget = () => {
      if (this.collections.get(name) === entry) this.collections.delete(name);
    };
    entry.then((open) => open ?? forget(), forget);
  }

  private async require(name: string): Promise<Open> {
    const open = await this.get(name);
    if (!open) throw new NotFoundError(`collection "${name}" does not exist`);
    return open;
  }

  /** Runs `work` after the collection's earlier writes, then compacts when the log has grown. */
  private write<T>(open: Open, work: () => Promise<T>): Promise<T> {
    const result = open.tail.then(work);
    open.tail = result.then(
      () => this.compactIfDue(open),
      () => undefined,
    );
    return result;
  }

  private async remove(open: Open, select: (collection: VectorCollection) => string[]): Promise<number> {
    const ids = select(open.collection);
    await io(`write to collection "${open.collection.name}"`, () => open.files.appendDelete(ids));
    for (const id of ids) open.collection.remove(id);
    return ids.length;
  }

  private async compactIfDue(open: Open): Promise<void> {
    if (!open.files.shouldCompact(this.compactMinBytes)) return;
    // A failed compaction loses nothing (the log still holds every write); try again later.
    await open.files.compact(open.collection).catch(() => undefined);
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

/** Runs file work, turning an I/O failure into UnavailableError (disk full, permissions...). */
async function io<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RecallError) throw error;
    throw new UnavailableError(`embedded vector store could not ${what}`, { cause: error });
  }
}
