import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError, RecallError, UnavailableError } from '../../domain/errors';
import { STORED_COLLECTION_NAME_PATTERN } from '../../domain/vector-rules';
import { CollectionFiles } from './collection-files';
import { VectorCollection } from './vector-collection';

/** A collection in memory with its files and the queue of its writes. */
export interface OpenCollection {
  collection: VectorCollection;
  files: CollectionFiles;
  /** Writes to this collection, in order (each one appends to its log). */
  tail: Promise<unknown>;
}

/**
 * The embedded store's collections under one directory: each is loaded from disk on first
 * use and kept open, created one at a time per name, written in order, and compacted when
 * its log has grown past both its snapshot and `compactMinBytes`.
 */
export class OpenCollections {
  private readonly entries = new Map<string, Promise<OpenCollection | undefined>>();
  private readonly creating = new Map<string, Promise<OpenCollection>>();

  constructor(
    private readonly directory: string,
    private readonly compactMinBytes: number,
  ) {}

  /** The open collection, loading it from disk on first use; undefined when it does not exist. */
  get(name: string): Promise<OpenCollection | undefined> {
    let entry = this.entries.get(name);
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

  /** The open collection; NotFoundError when it does not exist. */
  async require(name: string): Promise<OpenCollection> {
    const open = await this.get(name);
    if (!open) throw new NotFoundError(`collection "${name}" does not exist`);
    return open;
  }

  /** The collection, created with `dimension` if missing; creations of one name run one at a time. */
  getOrCreate(name: string, dimension: number): Promise<OpenCollection> {
    const previous = this.creating.get(name) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async (): Promise<OpenCollection> => {
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

  /** Names of the collection directories on disk, sorted. */
  async names(): Promise<string[]> {
    const entries = await io('list collections', () => readdir(this.directory, { withFileTypes: true }));
    return entries
      .filter((e) => e.isDirectory() && STORED_COLLECTION_NAME_PATTERN.test(e.name))
      .map((e) => e.name)
      .sort();
  }

  /** Runs `work` after the collection's earlier writes, then compacts when the log has grown. */
  write<T>(open: OpenCollection, work: () => Promise<T>): Promise<T> {
    const result = open.tail.then(work);
    open.tail = result.then(
      () => this.compactIfDue(open),
      () => undefined,
    );
    return result;
  }

  /** Deletes the collection and its files (after its pending writes); a missing one is a no-op. */
  async drop(name: string): Promise<void> {
    const open = await this.get(name);
    if (open) await settle(open);
    this.entries.delete(name);
    await io(`drop collection "${name}"`, () => rm(this.dir(name), { recursive: true, force: true }));
  }

  /** Waits for every collection's pending writes and compactions and closes its files. */
  async closeAll(): Promise<void> {
    const opened = await Promise.all([...this.entries.values()].map((p) => p.catch(() => undefined)));
    for (const open of opened) if (open) await settle(open);
    this.entries.clear();
  }

  private dir(name: string): string {
    return join(this.directory, name);
  }

  /** Keeps `entry` for `name` unless it fails or finds nothing: then the next call looks again. */
  private remember(name: string, entry: Promise<OpenCollection | undefined>): void {
    this.entries.set(name, entry);
    const forget = () => {
      if (this.entries.get(name) === entry) this.entries.delete(name);
    };
    entry.then((open) => open ?? forget(), forget);
  }

  private async compactIfDue(open: OpenCollection): Promise<void> {
    if (!open.files.shouldCompact(this.compactMinBytes)) return;
    // A failed compaction loses nothing (the log still holds every write); try again later.
    await open.files.compact(open.collection).catch(() => undefined);
  }
}

/** Waits for the collection's pending writes, then closes its files. */
async function settle(open: OpenCollection): Promise<void> {
  await open.tail.catch(() => undefined);
  await open.files.close();
}

/** Runs file work, turning an I/O failure into UnavailableError (disk full, permissions...). */
export async function io<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RecallError) throw error;
    throw new UnavailableError(`embedded vector store could not ${what}`, { cause: error });
  }
}
