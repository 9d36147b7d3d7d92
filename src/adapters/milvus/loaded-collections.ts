import type { CallContext } from '../../domain/context';
import { NotFoundError } from '../../domain/errors';
import {
  validateStoreCollectionDimension,
  validateStoreCollectionName,
  validateStoreDimension,
} from '../filters/store-input';
import type { LiteFlushes } from './lite-flushes';
import {
  type CollectionShape,
  createCollection,
  describeCollection,
  loadCollection,
} from './milvus-collection-lifecycle';
import type { MilvusSession } from './milvus-session';

/** How often a dense-only collection is described again (see hasLexical). */
const LEXICAL_RECHECK_MS = 30_000;

/**
 * The collections this process knows exist and are loaded, with their dimension and whether
 * they have a lexical side: keeps describe and load off the hot path. A collection is
 * described and loaded on first use, and again after a call found it missing or released.
 */
export class LoadedCollections {
  /** Dimension of each collection known to exist and be loaded. */
  private readonly ready = new Map<string, number>();
  /** Whether each collection in `ready` has its lexical side. */
  private readonly lexical = new Map<string, boolean>();
  /** When a dense-only collection was last described: `npm run reindex` elsewhere may have changed it. */
  private readonly denseOnlySince = new Map<string, number>();

  constructor(
    private readonly session: MilvusSession,
    private readonly flushes: LiteFlushes,
  ) {}

  /** Creates the collection if it is missing and loads it; FailedPreconditionError if it exists with another dimension. */
  async ensure(name: string, dimension: number, ctx: CallContext): Promise<void> {
    validateStoreCollectionName(name);
    validateStoreDimension(dimension);
    const known = this.ready.get(name);
    if (known !== undefined) return validateStoreCollectionDimension(name, known, dimension);
    const { session } = this;
    await session.locked(name, ctx, async () => {
      let shape = await describeCollection(session, name, ctx);
      if (shape === undefined) {
        await createCollection(session, name, dimension, ctx);
        shape = await describeCollection(session, name, ctx);
      }
      validateStoreCollectionDimension(name, shape?.dimension ?? dimension, dimension);
      await loadCollection(session, name, ctx);
      this.loaded(name, { dimension, lexical: shape?.lexical ?? false });
    });
  }

  /** The collection's dimension, describing and loading it on first use; NotFoundError if it does not exist. */
  async dimensionOf(name: string, ctx: CallContext): Promise<number> {
    const known = this.ready.get(name);
    if (known !== undefined) return known;
    const shape = await describeCollection(this.session, name, ctx);
    if (shape === undefined) throw new NotFoundError(`collection "${name}" does not exist`);
    await loadCollection(this.session, name, ctx);
    this.loaded(name, shape);
    return shape.dimension;
  }

  /**
   * Whether the collection has its lexical side. A dense-only one is described again at most
   * every LEXICAL_RECHECK_MS, so a collection rebuilt by `npm run reindex` while this process
   * runs gains its lexical hits without a restart.
   */
  async hasLexical(collection: string, ctx: CallContext): Promise<boolean> {
    if (this.lexical.get(collection)) return true;
    const since = this.denseOnlySince.get(collection);
    if (since === undefined || Date.now() - since >= LEXICAL_RECHECK_MS) {
      const shape = await describeCollection(this.session, collection, ctx);
      this.lexical.set(collection, shape?.lexical ?? false);
      this.denseOnlySince.set(collection, Date.now());
    }
    return this.lexical.get(collection) ?? false;
  }

  /** Forgets that the collection is loaded: the next call describes and loads it again. */
  unload(name: string): void {
    this.ready.delete(name);
  }

  /** Forgets all that is known of the collection (it was rebuilt or dropped). */
  forget(name: string): void {
    this.ready.delete(name);
    this.lexical.delete(name);
  }

  private loaded(name: string, shape: CollectionShape): void {
    this.lexical.set(name, shape.lexical);
    if (!shape.lexical) this.denseOnlySince.set(name, Date.now());
    this.ready.set(name, shape.dimension);
    // Rows another process (or Lite's own recovery) left unflushed: sealed before the first read.
    this.flushes.mark(name);
  }
}
