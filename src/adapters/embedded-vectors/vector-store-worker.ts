/**
 * The worker thread that owns an EmbeddedVectorStore (see threaded-vector-store): its
 * collections, their files and every scan live here, so a search never runs on the thread
 * that serves gRPC. The parent has checked each call's context and holds the directory lock.
 */
import { backgroundContext } from '../../domain/context';
import { type WorkerHandlers, serveRequests } from '../threads/serve-requests';
import { EmbeddedVectorStore, type EmbeddedVectorStoreOptions } from './embedded-vector-store';

/** The store methods the parent may call; each takes its arguments without the context. */
const STORE_METHODS = [
  'ensureCollection',
  'upsert',
  'delete',
  'deleteWhere',
  'scan',
  'search',
  'searchLexical',
  'addLexical',
  'listCollections',
  'dropCollection',
  'ping',
] as const;

let store: EmbeddedVectorStore | undefined;
const ctx = backgroundContext();

function opened(): EmbeddedVectorStore {
  if (!store) throw new Error('embedded vector store is not open');
  return store;
}

const handlers: WorkerHandlers = {
  async open(options: EmbeddedVectorStoreOptions): Promise<void> {
    store = await EmbeddedVectorStore.open({ ...options, lockHeld: true });
  },
  async close(): Promise<void> {
    await store?.close();
  },
};
for (const method of STORE_METHODS) {
  handlers[method] = (...args: unknown[]) =>
    (opened()[method] as (...all: unknown[]) => Promise<unknown>).call(store, ...args, ctx);
}
serveRequests(handlers);
