import type { CallContext } from '../../domain/context';
import type { MilvusStatus } from './milvus-errors';
import type { MilvusSession } from './milvus-session';

/**
 * Keeps flushed what Milvus Lite would otherwise search unindexed. Lite scans unflushed rows
 * in Python on every search, without an index (1,398 Cranfield documents unflushed: dense
 * 168 ms and BM25 367 ms per search; flushed: 2.7 and 7.2 ms), where a real Milvus seals
 * segments by itself. So a collection written to (or loaded with rows another process may
 * have left unflushed) is marked, and the first search after that flushes it (see
 * sealForRead); a bulk load is flushed every `flushAfterRows` rows as well.
 */
export class LiteFlushes {
  /** Rows written per collection since its last flush. */
  private readonly unflushed = new Map<string, number>();
  /** Collections that may hold rows Milvus Lite has not flushed. */
  private readonly unsealed = new Set<string>();
  /** The flush each collection's reads are waiting for. */
  private readonly sealing = new Map<string, Promise<void>>();

  constructor(
    private readonly session: MilvusSession,
    private readonly flushAfterRows: number,
  ) {}

  /** Marks a collection that may hold unflushed rows: the next read seals it. */
  mark(collection: string): void {
    this.unsealed.add(collection);
  }

  /** Forgets a dropped collection. */
  forget(collection: string): void {
    this.unsealed.delete(collection);
  }

  /** Counts rows just written (under the collection's lock) and flushes once `flushAfterRows` are pending. */
  async written(collection: string, rows: number, ctx: CallContext): Promise<void> {
    const pending = (this.unflushed.get(collection) ?? 0) + rows;
    this.unflushed.set(collection, pending);
    this.unsealed.add(collection);
    if (pending >= this.flushAfterRows) await this.flushLocked(collection, ctx);
  }

  /** Flushes the collection; the caller holds its write lock. */
  async flushLocked(collection: string, ctx: CallContext): Promise<void> {
    const { session } = this;
    // Lite flushes before it answers; flushSync would then poll the flush state and sleep 100 ms.
    const lite = await session.isLite(ctx).catch(() => false);
    const res = await session.call(ctx, 'flush', (timeout): Promise<{ status: MilvusStatus }> => {
      const request = { collection_names: [collection], timeout };
      return lite ? session.client.flush(request) : session.client.flushSync(request);
    });
    session.check(res.status, 'flush', collection);
    this.unflushed.delete(collection);
    this.unsealed.delete(collection);
  }

  /**
   * On Milvus Lite, flushes a collection that may hold unflushed rows before searching it.
   * The first search after writes pays for the flush and searches arriving meanwhile wait for
   * it; a search never waits for a write under way, and if the flush (or asking the version)
   * fails, the search runs on as it would have.
   */
  sealForRead(collection: string, ctx: CallContext): Promise<void> {
    if (!this.unsealed.has(collection)) return Promise.resolve();
    let sealing = this.sealing.get(collection);
    if (!sealing) {
      sealing = this.seal(collection, ctx).finally(() => this.sealing.delete(collection));
      this.sealing.set(collection, sealing);
    }
    return sealing;
  }

  private async seal(collection: string, ctx: CallContext): Promise<void> {
    if (!(await this.session.isLite(ctx).catch(() => false))) {
      this.unsealed.delete(collection);
      return;
    }
    // A write under way marks the collection again when it ends: the next read seals it.
    if (this.session.isWriting(collection)) return;
    const release = await this.session.acquireWriteLock(collection);
    try {
      if (this.unsealed.has(collection)) await this.flushLocked(collection, ctx);
    } catch {
      // Still marked: the next read tries again; this one searches the rows as they are.
    } finally {
      release();
    }
  }
}
