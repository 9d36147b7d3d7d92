import type { ClientConfig, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { type CallContext, throwIfDone } from '../../domain/context';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../domain/errors';
import type {
  CollectionStats,
  LexicalQuery,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../domain/ports';
import { compileMilvusFilter, milvusLiteral } from '../filters';
import { assertLexicalQuery } from '../filters/lexical-input';
import {
  assertCollectionName,
  assertDimension,
  assertIds,
  assertQuery,
  assertRecords,
  lastPerId,
} from '../filters/store-input';
import { KeyedMutex } from './keyed-mutex';
import { type AddLexicalResult, addLexicalSide } from './milvus-add-lexical';
import { callMilvus } from './milvus-call';
import {
  type CollectionLifecycle,
  checkDimension,
  createCollection,
  describeCollection,
  loadCollection,
} from './milvus-collection-lifecycle';
import { type MilvusStatus, isCollectionMissing, isCollectionNotLoaded, throwIfFailed } from './milvus-errors';
import {
  FIELDS,
  type MilvusIndexType,
  isMilvusLite,
  milvusRow,
  nfc,
  searchParams,
  serverHasBm25,
} from './milvus-schema';
import { ReadConsistency, type ReadConsistencyMode } from './read-consistency';

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
   * sealForRead), so this only bounds the memtable while a bulk load runs. A real Milvus
   * seals segments by itself and rate-limits flush, so leave it unset there. Default: never.
   */
  flushAfterRows?: number;
  /** How reads wait for writes (see ReadConsistency). Default `session`. */
  consistency?: ReadConsistencyMode;
  /** How long after its own write `session` keeps reading a collection Strong. Default 5 000 ms (Milvus's default gracefulTime). */
  sessionWindowMs?: number;
}

const OUTPUT_FIELDS = [FIELDS.id, FIELDS.text, FIELDS.metadata];
/** Ids per `id in [...]` expression. */
const ID_CHUNK = 1000;
/** How often a dense-only collection is described again (see hasLexical). */
const LEXICAL_RECHECK_MS = 30_000;
/** Milvus caps one query's offset + limit at 16384 rows. */
const MAX_QUERY_ROWS = 16_384;

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
 * first search after writes, which Lite would otherwise search unindexed (see sealForRead).
 */
export class MilvusVectorStore implements VectorStore {
  private readonly client: MilvusClient;
  private readonly maxCallMs: number;
  private readonly indexType: MilvusIndexType;
  private readonly batchSize: number;
  private readonly flushAfterRows: number;
  /** Rows written per collection since its last flush. */
  private readonly unflushed = new Map<string, number>();
  private readonly writes = new KeyedMutex();
  /** Dimension of each collection known to exist and be loaded: keeps describe off the hot path. */
  private readonly ready = new Map<string, number>();
  /** Whether each collection in `ready` has its lexical side. */
  private readonly lexical = new Map<string, boolean>();
  /** When a dense-only collection was last described: `npm run reindex` elsewhere may have changed it. */
  private readonly denseOnlySince = new Map<string, number>();
  /** The server's version string (GetVersion), asked once. */
  private version: Promise<string> | undefined;
  /** Collections that may hold rows Milvus Lite has not flushed (see sealForRead). */
  private readonly unsealed = new Set<string>();
  /** The flush each collection's reads are waiting for. */
  private readonly sealing = new Map<string, Promise<void>>();
  private readonly consistency: ReadConsistency;
  private closed: Promise<void> | undefined;

  constructor(options: MilvusVectorStoreOptions, client?: MilvusClient) {
    this.maxCallMs = options.maxCallMs ?? 10_000;
    this.indexType = options.indexType ?? 'HNSW';
    this.batchSize = options.batchSize ?? 500;
    this.flushAfterRows = options.flushAfterRows ?? Number.POSITIVE_INFINITY;
    this.consistency = new ReadConsistency(options.consistency ?? 'session', options.sessionWindowMs ?? 5_000);
    const config: ClientConfig = {
      address: options.address,
      token: options.token,
      database: options.database,
      timeout: this.maxCallMs,
      maxRetries: options.maxRetries ?? 0,
      telemetry: { enabled: false },
      logLevel: 'error',
    };
    this.client = client ?? new (loadSdk().MilvusClient)(config);
    // The SDK connects in its constructor and leaves a rejected promise unhandled when the
    // server is down; calls report that themselves, so the start-up failure is ignored here.
    (this.client as unknown as { connectPromise?: Promise<unknown> }).connectPromise?.catch(() => undefined);
  }

  async ensureCollection(name: string, dimension: number, ctx: CallContext): Promise<void> {
    assertCollectionName(name);
    assertDimension(dimension);
    const known = this.ready.get(name);
    if (known !== undefined) return checkDimension(name, known, dimension);
    await this.locked(name, ctx, async () => {
      let shape = await describeCollection(this.lifecycle, name, ctx);
      if (shape === undefined) {
        await createCollection(this.lifecycle, name, dimension, ctx);
        shape = await describeCollection(this.lifecycle, name, ctx);
      }
      checkDimension(name, shape?.dimension ?? dimension, dimension);
      await loadCollection(this.lifecycle, name, ctx);
      this.lexical.set(name, shape?.lexical ?? false);
      if (!shape?.lexical) this.denseOnlySince.set(name, Date.now());
      this.ready.set(name, dimension);
      // Rows another process (or Lite's own recovery) left unflushed: sealed before the first read.
      this.unsealed.add(name);
    });
  }

  async upsert(collection: string, records: VectorRecord[], ctx: CallContext): Promise<void> {
    assertCollectionName(collection);
    const dimension = await this.dimensionOf(collection, ctx);
    if (records.length === 0) return;
    assertRecords(collection, records, dimension);
    const rows = lastPerId(records).map(milvusRow);
    await this.locked(collection, ctx, async () => {
      for (let i = 0; i < rows.length; i += this.batchSize) {
        const batch = rows.slice(i, i + this.batchSize);
        const res = await this.call(ctx, 'upsert', (timeout) =>
          this.client.upsert({ collection_name: collection, data: batch, timeout }),
        );
        this.check(res.status, 'upsert', collection);
        const written = Math.max(Number(res.upsert_cnt ?? 0), idCount(res.IDs));
        if (written !== batch.length || (res.err_index?.length ?? 0) > 0) {
          throwIfFailed({ error_code: 'UpsertIncomplete', reason: `${written} of ${batch.length} rows` }, 'upsert');
        }
      }
      const pending = (this.unflushed.get(collection) ?? 0) + rows.length;
      this.unflushed.set(collection, pending);
      this.unsealed.add(collection);
      if (pending >= this.flushAfterRows) await this.flushLocked(collection, ctx);
    });
  }

  /** Seals what was written to the collection so it is indexed (see `flushAfterRows`). */
  async flush(collection: string, ctx: CallContext): Promise<void> {
    assertCollectionName(collection);
    await this.dimensionOf(collection, ctx);
    await this.locked(collection, ctx, () => this.flushLocked(collection, ctx));
  }

  private async flushLocked(collection: string, ctx: CallContext): Promise<void> {
    // Lite flushes before it answers; flushSync would then poll the flush state and sleep 100 ms.
    const lite = await this.isLite(ctx).catch(() => false);
    const res = await this.call(ctx, 'flush', (timeout): Promise<{ status: MilvusStatus }> => {
      const request = { collection_names: [collection], timeout };
      return lite ? this.client.flush(request) : this.client.flushSync(request);
    });
    this.check(res.status, 'flush', collection);
    this.unflushed.delete(collection);
    this.unsealed.delete(collection);
  }

  /**
   * On Milvus Lite, flushes a collection that may hold unflushed rows before searching it:
   * Lite scans those rows in Python on every search, without an index (1,398 Cranfield
   * documents unflushed: dense 168 ms and BM25 367 ms per search; flushed: 2.7 and 7.2 ms),
   * where a real Milvus seals segments by itself. The first search after writes pays for the
   * flush and searches arriving meanwhile wait for it; a search never waits for a write under
   * way, and if the flush (or asking the version) fails, the search runs on as it would have.
   */
  private sealForRead(collection: string, ctx: CallContext): Promise<void> {
    if (!this.unsealed.has(collection)) return Promise.resolve();
    let sealing = this.sealing.get(collection);
    if (!sealing) {
      sealing = this.seal(collection, ctx).finally(() => this.sealing.delete(collection));
      this.sealing.set(collection, sealing);
    }
    return sealing;
  }

  private async seal(collection: string, ctx: CallContext): Promise<void> {
    if (!(await this.isLite(ctx).catch(() => false))) {
      this.unsealed.delete(collection);
      return;
    }
    // A write under way marks the collection again when it ends: the next read seals it.
    if (this.writes.isLocked(collection)) return;
    const release = await this.writes.acquire(collection);
    try {
      if (this.unsealed.has(collection)) await this.flushLocked(collection, ctx);
    } catch {
      // Still marked: the next read tries again; this one searches the rows as they are.
    } finally {
      release();
    }
  }

  async delete(collection: string, ids: string[], ctx: CallContext): Promise<number> {
    assertCollectionName(collection);
    assertIds(ids);
    await this.dimensionOf(collection, ctx);
    const unique = [...new Set(ids)];
    if (unique.length === 0) return 0;
    return this.locked(collection, ctx, async () => {
      let deleted = 0;
      for (let i = 0; i < unique.length; i += ID_CHUNK) {
        // Milvus counts ids asked for, not rows removed: count the ones that exist first.
        const existing = await this.existingIds(collection, unique.slice(i, i + ID_CHUNK), ctx);
        if (existing.length === 0) continue;
        await this.deleteByExpression(collection, idsExpression(existing), ctx);
        deleted += existing.length;
      }
      return deleted;
    });
  }

  async deleteWhere(collection: string, filters: MetadataFilter[], ctx: CallContext): Promise<number> {
    assertCollectionName(collection);
    if (filters.length === 0) throw InvalidArgumentError.of('filters', 'at least one filter is required');
    const expression = compileMilvusFilter(filters);
    await this.dimensionOf(collection, ctx);
    return this.locked(collection, ctx, async () => {
      const count = await this.count(collection, expression, ctx);
      if (count > 0) await this.deleteByExpression(collection, expression, ctx);
      return count;
    });
  }

  async scan(collection: string, limit: number, ctx: CallContext): Promise<VectorRecord[]> {
    assertCollectionName(collection);
    await this.dimensionOf(collection, ctx);
    const res = await this.call(ctx, 'scan', (timeout) =>
      this.client.query({
        collection_name: collection,
        filter: `${FIELDS.id} != ""`,
        output_fields: [FIELDS.id, FIELDS.vector, FIELDS.text, FIELDS.metadata],
        limit: Math.min(limit, MAX_QUERY_ROWS),
        consistency_level: this.consistency.sdkLevelFor(collection),
        timeout,
      }),
    );
    this.check(res.status, 'scan', collection);
    return (res.data as Record<string, unknown>[]).map((row) => ({
      id: String(row.id),
      text: typeof row.text === 'string' ? row.text : '',
      metadata: isObject(row.metadata) ? row.metadata : {},
      vector: Array.isArray(row.vector) ? row.vector.map(Number) : [],
    }));
  }

  async search(collection: string, query: VectorQuery, ctx: CallContext): Promise<VectorHit[]> {
    assertCollectionName(collection);
    const filter = compileMilvusFilter(query.filters);
    const dimension = await this.dimensionOf(collection, ctx);
    assertQuery(collection, query, dimension);
    await this.sealForRead(collection, ctx);
    const run = () =>
      this.call(ctx, 'search', (timeout) =>
        this.client.search({
          collection_name: collection,
          anns_field: FIELDS.vector,
          data: query.vector,
          limit: query.limit,
          ...(filter ? { filter } : {}),
          output_fields: OUTPUT_FIELDS,
          metric_type: 'COSINE',
          params: searchParams(this.indexType, query.limit),
          consistency_level: this.consistency.sdkLevelFor(collection),
          timeout,
        }),
      );
    let res = await run();
    if (isCollectionNotLoaded(res.status)) {
      // Released behind our back (Milvus restarted): load it again and retry once.
      this.ready.delete(collection);
      await this.dimensionOf(collection, ctx);
      res = await run();
    }
    this.check(res.status, 'search', collection);
    return (res.results as Record<string, unknown>[]).map((hit) => ({
      id: String(hit.id),
      text: typeof hit.text === 'string' ? hit.text : '',
      metadata: isObject(hit.metadata) ? hit.metadata : {},
      // COSINE in Milvus is the similarity itself; float error can step just outside [-1, 1].
      score: Math.max(-1, Math.min(1, Number(hit.score))),
    }));
  }

  /**
   * BM25 search by raw text, scored by the server. Milvus Lite reports BM25 scores negated
   * (e.g. −2.17), Milvus 2.5 as they are: their magnitude is the score either way.
   */
  async searchLexical(collection: string, query: LexicalQuery, ctx: CallContext): Promise<VectorHit[] | undefined> {
    assertCollectionName(collection);
    assertLexicalQuery(query);
    const filter = compileMilvusFilter(query.filters);
    await this.dimensionOf(collection, ctx);
    if (!(await this.hasLexical(collection, ctx))) return undefined;
    await this.sealForRead(collection, ctx);
    const res = await this.call(ctx, 'lexical search', (timeout) =>
      this.client.search({
        collection_name: collection,
        anns_field: FIELDS.sparse,
        data: nfc(query.text),
        limit: query.limit,
        ...(filter ? { filter } : {}),
        output_fields: OUTPUT_FIELDS,
        metric_type: 'BM25',
        params: {},
        consistency_level: this.consistency.sdkLevelFor(collection),
        timeout,
      }),
    );
    this.check(res.status, 'lexical search', collection);
    return (res.results as Record<string, unknown>[])
      .map((hit) => ({
        id: String(hit.id),
        text: typeof hit.text === 'string' ? hit.text : '',
        metadata: isObject(hit.metadata) ? hit.metadata : {},
        score: Math.abs(Number(hit.score)),
      }))
      .sort((a, b) => b.score - a.score);
  }

  /** Rebuilds a dense-only collection with its lexical side (see addLexicalSide); run it in a maintenance window. */
  async addLexical(collection: string, ctx: CallContext): Promise<AddLexicalResult> {
    assertCollectionName(collection);
    return this.locked(collection, ctx, async () => {
      try {
        return await addLexicalSide(this.lifecycle, collection, ctx);
      } finally {
        this.ready.delete(collection);
        this.lexical.delete(collection);
      }
    });
  }

  /** Collections with recall's schema (others in the database are left out), by name. */
  async listCollections(ctx: CallContext): Promise<CollectionStats[]> {
    const res = await this.call(ctx, 'list collections', (timeout) => this.client.showCollections({ timeout }));
    this.check(res.status, 'list collections');
    const names = (res.data ?? []).map((c) => c.name).sort();
    const stats = await Promise.all(
      names.map(async (name): Promise<CollectionStats | undefined> => {
        try {
          const dimension = await this.dimensionOf(name, ctx);
          const count = await this.count(name, '', ctx);
          return { name, count, dimension, lexical: await this.hasLexical(name, ctx) };
        } catch (error) {
          // Dropped meanwhile, or not a recall collection: not ours to list.
          if (error instanceof NotFoundError || error instanceof FailedPreconditionError) return undefined;
          throw error;
        }
      }),
    );
    return stats.filter((s): s is CollectionStats => s !== undefined);
  }

  async ping(ctx: CallContext): Promise<void> {
    // showCollections takes a timeout (getVersion and checkHealth do not) and is cheap.
    const res = await this.call(ctx, 'ping', (timeout) => this.client.showCollections({ timeout }));
    this.check(res.status, 'ping');
  }

  private get lifecycle(): CollectionLifecycle {
    return {
      client: this.client,
      call: (ctx, what, run) => this.call(ctx, what, run),
      indexType: this.indexType,
      serverHasBm25: (ctx) => this.serverHasBm25(ctx),
    };
  }

  private async serverHasBm25(ctx: CallContext): Promise<boolean> {
    return serverHasBm25(await this.serverVersion(ctx));
  }

  private async isLite(ctx: CallContext): Promise<boolean> {
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

  /** Drops a collection if it exists (the re-embed, tests and operators). */
  async dropCollection(name: string, ctx: CallContext): Promise<void> {
    assertCollectionName(name);
    await this.locked(name, ctx, async () => {
      this.ready.delete(name);
      this.lexical.delete(name);
      this.unsealed.delete(name);
      const res = await this.call(ctx, 'drop collection', (timeout) =>
        this.client.dropCollection({ collection_name: name, timeout }),
      );
      if (!isCollectionMissing(res)) this.check(res, 'drop collection', name);
    });
  }

  close(): Promise<void> {
    this.closed ??= this.client.closeConnection().then(
      () => undefined,
      () => undefined,
    );
    return this.closed;
  }

  /**
   * Whether the collection has its lexical side. A dense-only one is described again at most
   * every LEXICAL_RECHECK_MS, so a collection rebuilt by `npm run reindex` while this process
   * runs gains its lexical hits without a restart.
   */
  private async hasLexical(collection: string, ctx: CallContext): Promise<boolean> {
    if (this.lexical.get(collection)) return true;
    const since = this.denseOnlySince.get(collection);
    if (since === undefined || Date.now() - since >= LEXICAL_RECHECK_MS) {
      const shape = await describeCollection(this.lifecycle, collection, ctx);
      this.lexical.set(collection, shape?.lexical ?? false);
      this.denseOnlySince.set(collection, Date.now());
    }
    return this.lexical.get(collection) ?? false;
  }

  /** The collection's dimension, describing and loading it on first use. */
  private async dimensionOf(name: string, ctx: CallContext): Promise<number> {
    const known = this.ready.get(name);
    if (known !== undefined) return known;
    const shape = await describeCollection(this.lifecycle, name, ctx);
    if (shape === undefined) throw new NotFoundError(`collection "${name}" does not exist`);
    await loadCollection(this.lifecycle, name, ctx);
    this.lexical.set(name, shape.lexical);
    if (!shape.lexical) this.denseOnlySince.set(name, Date.now());
    this.ready.set(name, shape.dimension);
    this.unsealed.add(name);
    return shape.dimension;
  }

  private async existingIds(collection: string, ids: string[], ctx: CallContext): Promise<string[]> {
    const res = await this.call(ctx, 'query', (timeout) =>
      this.client.query({
        collection_name: collection,
        filter: idsExpression(ids),
        output_fields: [FIELDS.id],
        limit: ids.length,
        consistency_level: this.consistency.sdkLevelFor(collection),
        timeout,
      }),
    );
    this.check(res.status, 'query', collection);
    return res.data.map((row) => String(row[FIELDS.id]));
  }

  private async count(collection: string, expression: string, ctx: CallContext): Promise<number> {
    const res = await this.call(ctx, 'count', (timeout) =>
      this.client.query({
        collection_name: collection,
        filter: expression,
        output_fields: ['count(*)'],
        consistency_level: this.consistency.sdkLevelFor(collection),
        timeout,
      }),
    );
    this.check(res.status, 'count', collection);
    const count = Number(res.data[0]?.['count(*)']);
    if (!Number.isInteger(count) || count < 0) throwIfFailed({ error_code: 'BadCount', reason: 'no count' }, 'count');
    return count;
  }

  private async deleteByExpression(collection: string, filter: string, ctx: CallContext): Promise<void> {
    const res = await this.call(ctx, 'delete', (timeout) =>
      this.client.delete({ collection_name: collection, filter, timeout }),
    );
    this.check(res.status, 'delete', collection);
  }

  /** Runs `work` under the collection's write lock; reads of it are Strong meanwhile and for the session window after. */
  private async locked<T>(collection: string, ctx: CallContext, work: () => Promise<T>): Promise<T> {
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

  private call<T>(ctx: CallContext, what: string, run: (timeoutMs: number) => Promise<T>): Promise<T> {
    return callMilvus(ctx, what, this.maxCallMs, run);
  }

  /** Throws for a failed status; forgets a collection that turned out to be gone. */
  private check(status: MilvusStatus | undefined, what: string, collection?: string): void {
    // Missing, or released (Milvus restarted): the next call describes and loads it again.
    if (collection !== undefined && (isCollectionMissing(status) || isCollectionNotLoaded(status))) {
      this.ready.delete(collection);
    }
    throwIfFailed(status, what, collection);
  }
}

/**
 * The SDK, loaded on first use: it takes most of a second to load (protobufs, bulk writer)
 * and is not needed at all when the service runs on the embedded store.
 */
function loadSdk(): typeof import('@zilliz/milvus2-sdk-node') {
  return require('@zilliz/milvus2-sdk-node');
}

function idsExpression(ids: string[]): string {
  return `${FIELDS.id} in [${ids.map(milvusLiteral).join(', ')}]`;
}

function idCount(ids: { str_id?: { data?: unknown[] }; int_id?: { data?: unknown[] } } | undefined): number {
  return ids?.str_id?.data?.length ?? ids?.int_id?.data?.length ?? 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
