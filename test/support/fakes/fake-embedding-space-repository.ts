import type { CallContext } from '../../../src/domain/context';
import type { EmbeddingSpaceRepository } from '../../../src/domain/ports';

/** An in-memory EmbeddingSpaceRepository with the SQL one's contract; `reads` counts `all` calls. */
export class FakeEmbeddingSpaceRepository implements EmbeddingSpaceRepository {
  readonly spaces = new Map<string, string>();
  reads = 0;

  async all(_ctx: CallContext) {
    this.reads += 1;
    return new Map(this.spaces);
  }

  async claim(collection: string, space: string, _ctx: CallContext) {
    const recorded = this.spaces.get(collection);
    if (recorded !== undefined) return recorded;
    this.spaces.set(collection, space);
    return space;
  }

  async set(collection: string, space: string, _ctx: CallContext) {
    this.spaces.set(collection, space);
  }
}
