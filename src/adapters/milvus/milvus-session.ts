import type { ClientConfig, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { type CallContext, throwIfDone } from '../../domain/context';
import { KeyedMutex } from './keyed-mutex';
import { dropSdkRetryInterceptor } from './lean-interceptor';
import { callMilvus } from './milvus-call';
import type { CollectionLifecycle } from './milvus-collection-lifecycle';
import { type MilvusStatus, isCollectionMissing, isCollectionNotLoaded, throwIfFailed } from './milvus-errors';
import { type MilvusIndexType, isMilvusLite, serverHasBm25 } from './milvus-schema';
import { type ConsistencyLevel, ReadConsistency } from './read-consistency';
import { bypassSdkTelemetryScope } from './sdk-telemetry-scope';

/** How to reach Milvus and how long to wait for it. */
export interface MilvusVectorStoreOptions {
  /** host:port (or an https URL for a managed Milvus). */
  address: string;
  token?: string;
  database?: string;
  /** Cap on one SDK call in ms; the caller's remaining deadline applies under it. Default 10 000. */
  maxCallMs?: number;
  /** SDK-level retries, each of which restarts the SDK's deadline. Default 0. */
  maxRetries?: number;
  /** Index for new collections (metric COSINE). Default HNSW. */
  indexType?: MilvusIndexType;
  /** Rows per upsert request. Default 500. */
  batchSize?: number;
  /**
   * Flush a collection once this many rows were written to it since its last flush. Milvus
   * Lite scans unflushed rows without an index (10k rows of 384-d: ~1 s per search, ~0.15 s
   * once flushed); on Lite the store also flushes before the first search after writes (see
   * LiteFlushes), so this only bounds the memtable while a bulk load runs. A real Milvus
   * seals segments by itself and rate-limits flush, so leave it unset there. Default: never.
   */
  flushAfterRows?: number;
  /** How reads wait for writes (see ReadConsistency). Default `session`. */
  consistency?: ConsistencyLevel;
  /** How long after its own write `session` keeps reading a collection Strong. Default 5 000 ms (Milvus's default gracefulTime). */
  sessionWindowMs?: number;
}

/**
 * One connection to Milvus and what every part of the store shares over it: the SDK client,
 * calls under the caller's deadline, status checks, the per-collection write lock, the read
 * consistency and the server's version. `onGone` is told of a collection a call found
 * missing or released, so the next call describes and loads it again.
 */
export class MilvusSession implements CollectionLifecycle {
  readonly client: MilvusClient;
  readonly indexType: MilvusIndexType;
  readonly consistency: ReadConsistency;
  private readonly maxCallMs: number;
  private readonly writes = new KeyedMutex();
  /** The server's version string (GetVersion), asked once. */
  private version: Promise<string> | undefined;
  private closed: Promise<void> | undefined;

  constructor(
    options: MilvusVectorStoreOptions,
    client: MilvusClient | undefined,
    private readonly onGone: (collection: string) => void,
  ) {
    this.maxCallMs = options.maxCallMs ?? 10_000;
    this.indexType = options.indexType ?? 'HNSW';
    this.consistency = new ReadConsistency(options.consistency ?? 'session', options.sessionWindowMs ?? 5_000);
    const maxRetries = options.maxRetries ?? 0;
    const config: ClientConfig = {
      address: options.address,
      ...(options.token !== undefined && { token: options.token }),
      ...(options.database !== undefined && { database: options.database }),
      timeout: this.maxCallMs,
      maxRetries,
      telemetry: { enabled: false },
      logLevel: 'error',
    };
    this.client = client ?? new (loadSdk().MilvusClient)(config);
    // Without retries, the SDK's retry interceptor only serialises each call for a debug line.
    if (maxRetries === 0) dropSdkRetryInterceptor(this.client);
    // Telemetry is off: its per-call scope would only switch on async hooks process-wide.
    bypassSdkTelemetryScope(this.client);
    // The SDK connects in its constructor and leaves a rejected promise unhandled when the
    // server is down; calls report that themselves, so the start-up failure is ignored here.
    (this.client as unknown as { connectPromise?: Promise<unknown> }).connectPromise?.catch(() => undefined);
  }

  /** Runs an SDK call under the caller's deadline (see callMilvus); an arrow, as the lifecycle steps destructure it. */
  readonly call = <T>(ctx: CallContext, what: string, run: (timeoutMs: number) => Promise<T>): Promise<T> =>
    callMilvus(ctx, what, this.maxCallMs, run);

  /** Throws for a failed status; forgets a collection that turned out to be gone. */
  check(status: MilvusStatus | undefined, what: string, collection?: string): void {
    // Missing, or released (Milvus restarted): the next call describes and loads it again.
    if (collection !== undefined && (isCollectionMissing(status) || isCollectionNotLoaded(status))) {
      this.onGone(collection);
    }
    throwIfFailed(status, what, collection);
  }

  /** Runs `work` under the collection's write lock; reads of it are Strong meanwhile and for the session window after. */
  async locked<T>(collection: string, ctx: CallContext, work: () => Promise<T>): Promise<T> {
    const release = await this.writes.acquire(collection);
    const written = this.consistency.beginWrite(collection);
    try {
      throwIfDone(ctx);
      return await work();
    } finally {
      written();
      release();
    }
  }

  /** Whether a write to the collection holds or awaits its lock now. */
  isWriting(collection: string): boolean {
    return this.writes.isLocked(collection);
  }

  /** Takes the collection's write lock without marking a write (a flush changes no rows). */
  acquireWriteLock(collection: string): Promise<() => void> {
    return this.writes.acquire(collection);
  }

  /** Whether the server has the BM25 function, so new collections get a lexical side. */
  async serverHasBm25(ctx: CallContext): Promise<boolean> {
    return serverHasBm25(await this.serverVersion(ctx));
  }

  /** Whether the server is Milvus Lite. */
  async isLite(ctx: CallContext): Promise<boolean> {
    return isMilvusLite(await this.serverVersion(ctx));
  }

  /** Asks the server's version once; a failed ask is asked again next time. */
  private serverVersion(ctx: CallContext): Promise<string> {
    this.version ??= this.call(ctx, 'version', () => this.client.getVersion()).then(
      (res) => res.version ?? '',
      (error: unknown) => {
        this.version = undefined;
        throw error;
      },
    );
    return this.version;
  }

  /** Closes the connection once; a failure to close is of no consequence. */
  close(): Promise<void> {
    this.closed ??= this.client.closeConnection().then(
      () => undefined,
      () => undefined,
    );
    return this.closed;
  }
}

/**
 * The SDK, loaded on first use: it takes most of a second to load (protobufs, bulk writer)
 * and is not needed at all when the service runs on the embedded store.
 */
function loadSdk(): typeof import('@zilliz/milvus2-sdk-node') {
  return require('@zilliz/milvus2-sdk-node');
}
