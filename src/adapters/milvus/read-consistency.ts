import type { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node';

/**
 * How reads (searches, scans, counts) wait for writes:
 * - `session`: Strong while this process is writing a collection or wrote it less than the
 *   session window ago, Bounded otherwise — this process reads its own writes, and every
 *   other read skips the wait for the next time tick;
 * - `strong`: every read waits until all writes acknowledged before it are visible;
 * - `bounded`: reads may miss writes younger than Milvus's `common.gracefulTime` (5 s by default);
 * - `eventually`: reads whatever the query node has.
 */
export type ConsistencyLevel = 'session' | 'strong' | 'bounded' | 'eventually';

/** Every consistency level, as MILVUS_CONSISTENCY accepts them. */
export const CONSISTENCY_LEVELS: readonly ConsistencyLevel[] = ['session', 'strong', 'bounded', 'eventually'];

/**
 * The level Milvus receives, by name: the SDK's `ConsistencyLevelEnum.Strong` is 0, which it
 * treats as unset and replaces by the collection's level; protobuf takes the name.
 */
export type ConsistencyLevelName = 'Strong' | 'Bounded' | 'Eventually';

/**
 * Chooses the consistency level of each read. Milvus serves a Strong read only once its
 * time tick has passed the read's timestamp — up to `proxy.timeTickInterval` (200 ms by
 * default) of waiting per search — while a Bounded read is served at once from data at most
 * `common.gracefulTime` old. `session` pays the Strong wait only where a Bounded read could
 * miss this process's own writes.
 */
export class ReadConsistency {
  /** Per collection: when this process's last write to it ended (ms), or Infinity while one runs. */
  private readonly lastWrite = new Map<string, number>();

  /**
   * @param windowMs how long after a write `session` keeps reading Strong; at least the
   *   server's `common.gracefulTime`.
   */
  constructor(
    readonly level: ConsistencyLevel,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks the start of a write to `collection`; call the returned function when it has ended, however it ended. */
  beginWrite(collection: string): () => void {
    this.lastWrite.set(collection, Number.POSITIVE_INFINITY);
    return () => this.lastWrite.set(collection, this.now());
  }

  /** The level for a read of `collection` now. */
  levelFor(collection: string): ConsistencyLevelName {
    switch (this.level) {
      case 'strong':
        return 'Strong';
      case 'bounded':
        return 'Bounded';
      case 'eventually':
        return 'Eventually';
      case 'session': {
        const last = this.lastWrite.get(collection);
        if (last === undefined) return 'Bounded';
        if (this.now() - last < this.windowMs) return 'Strong';
        this.lastWrite.delete(collection);
        return 'Bounded';
      }
    }
  }

  /** The level as the SDK's request field takes it. */
  sdkLevelFor(collection: string): ConsistencyLevelEnum {
    return this.levelFor(collection) as unknown as ConsistencyLevelEnum;
  }
}
