import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type CallContext, throwIfDone } from '../../domain/context';
import { UnavailableError } from '../../domain/errors';
import type {
  CollectionStats,
  LexicalQuery,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../domain/ports';
import { type WorkerChannel, startWorker } from '../threads/worker-channel';
import { lockDirectory } from './directory-lock';
import type { EmbeddedVectorStoreOptions } from './embedded-vector-store';
import { io } from './open-collections';

/**
 * The embedded vector store run in a worker thread (vector-store-worker): the same
 * EmbeddedVectorStore, files and results, but its dense and BM25 scans never block the
 * thread that serves gRPC. Calls reach the worker in the order they are made; a write
 * resolves only after the worker has fsynced it. The directory lock is held on this thread,
 * so two stores in one process still exclude each other.
 */
export class ThreadedVectorStore implements VectorStore {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: WorkerChannel,
    private readonly unlock: () => Promise<void>,
  ) {}

  /** Opens (creating if needed) the store in `options.dir`, locks it and starts its worker. */
  static async open(options: EmbeddedVectorStoreOptions): Promise<ThreadedVectorStore> {
    await io(`open ${options.dir}`, () => mkdir(options.dir, { recursive: true }));
    const unlock = await io(`lock ${options.dir}`, () => lockDirectory(options.dir));
    let worker: WorkerChannel | undefined;
    try {
      worker = startWorker(path.join(__dirname, 'vector-store-worker'), 'embedded vector store');
      await worker.call('open', options);
      return new ThreadedVectorStore(worker, unlock);
    } catch (error) {
      await worker?.terminate();
      await unlock();
      throw error;
    }
  }

  ensureCollection(name: string, dimension: number, ctx: CallContext): Promise<void> {
    return this.call(ctx, 'ensureCollection', name, dimension);
  }

  upsert(collection: string, records: VectorRecord[], ctx: CallContext): Promise<void> {
    return this.call(ctx, 'upsert', collection, records);
  }

  delete(collection: string, ids: string[], ctx: CallContext): Promise<number> {
    return this.call(ctx, 'delete', collection, ids);
  }

  deleteWhere(collection: string, filters: MetadataFilter[], ctx: CallContext): Promise<number> {
    return this.call(ctx, 'deleteWhere', collection, filters);
  }

  scan(collection: string, limit: number, ctx: CallContext): Promise<VectorRecord[]> {
    return this.call(ctx, 'scan', collection, limit);
  }

  search(collection: string, query: VectorQuery, ctx: CallContext): Promise<VectorHit[]> {
    return this.call(ctx, 'search', collection, query);
  }

  searchLexical(collection: string, query: LexicalQuery, ctx: CallContext): Promise<VectorHit[]> {
    return this.call(ctx, 'searchLexical', collection, query);
  }

  /** Nothing to add: every collection's BM25 index is rebuilt from its texts when it loads. */
  addLexical(collection: string, ctx: CallContext): Promise<{ added: boolean; documents: number }> {
    return this.call(ctx, 'addLexical', collection);
  }

  listCollections(ctx: CallContext): Promise<CollectionStats[]> {
    return this.call(ctx, 'listCollections');
  }

  /** Deletes the collection and its files (after its pending writes); a missing one is a no-op. */
  dropCollection(name: string, ctx: CallContext): Promise<void> {
    return this.call(ctx, 'dropCollection', name);
  }

  ping(ctx: CallContext): Promise<void> {
    return this.call(ctx, 'ping');
  }

  /** Lets calls already made finish, closes the store in its worker, stops it and unlocks the directory. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      try {
        await this.worker.call('close');
      } finally {
        await this.worker.terminate();
        await this.unlock();
      }
    })();
    return this.closing;
  }

  private async call<T>(ctx: CallContext, method: string, ...args: unknown[]): Promise<T> {
    if (this.closing) throw new UnavailableError('embedded vector store is closed');
    throwIfDone(ctx);
    const reply = this.worker.call<T>(method, ...args);
    this.inFlight.add(reply);
    try {
      return await reply;
    } finally {
      this.inFlight.delete(reply);
    }
  }
}

/** Opens the embedded store in `options.dir` (created if missing) with its work in a worker thread. */
export function openThreadedVectorStore(options: EmbeddedVectorStoreOptions): Promise<ThreadedVectorStore> {
  return ThreadedVectorStore.open(options);
}
