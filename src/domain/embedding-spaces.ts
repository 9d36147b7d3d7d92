import type { CallContext } from './context';
import { FailedPreconditionError } from './errors';
import type { Embedder, EmbeddingSpaceRepository } from './ports';

/**
 * The space an embedder's vectors live in: its name (model), dimension and variant
 * (instruction prefixes). Two embedders with the same dimension but different models (the
 * built-in one and all-MiniLM-L6-v2 are both 384-d) have different spaces, and their vectors
 * must never be compared.
 */
export function embeddingSpaceOf(embedder: Pick<Embedder, 'name' | 'dimension' | 'variant'>): string {
  const base = `${embedder.name}@${embedder.dimension}`;
  return embedder.variant ? `${base}+${embedder.variant}` : base;
}

/**
 * Keeps vectors of different models apart. A collection's space is recorded by the first
 * write that recall embeds into it; from then on a server embedding with another model is
 * refused (FailedPreconditionError naming both spaces) when it would embed into the
 * collection or compare its own query vector with it. Vectors callers bring themselves are
 * never checked. Collections without a record (written before spaces were recorded, or only
 * with callers' vectors) are unchecked.
 */
export interface EmbeddingSpaceGuard {
  /** This server's space. */
  readonly space: string;
  /** Before embedding into `collection`: records this server's space, or refuses another. */
  claim(collection: string, ctx: CallContext): Promise<void>;
  /** Before comparing this server's query vector with `collections`: refuses a recorded other space. */
  check(collections: readonly string[], ctx: CallContext): Promise<void>;
  /** Whether this server's vectors may be compared with the collection's (no other space recorded). */
  compatible(collection: string, ctx: CallContext): Promise<boolean>;
  /** The recorded space of every collection that has one. */
  recorded(ctx: CallContext): Promise<ReadonlyMap<string, string>>;
}

/** What the guard remembers of the records, re-read after `ttlMs` (another process may re-embed). */
export function createEmbeddingSpaceGuard(deps: {
  repository: EmbeddingSpaceRepository;
  embedder: Pick<Embedder, 'name' | 'dimension' | 'variant'>;
  ttlMs?: number;
  now?: () => number;
}): EmbeddingSpaceGuard {
  const space = embeddingSpaceOf(deps.embedder);
  const ttlMs = deps.ttlMs ?? 5_000;
  const now = deps.now ?? Date.now;
  let cached: { at: number; spaces: Promise<Map<string, string>> } | undefined;

  const recorded = (ctx: CallContext): Promise<Map<string, string>> => {
    if (!cached || now() - cached.at > ttlMs) {
      const spaces = deps.repository.all(ctx);
      cached = { at: now(), spaces };
      // A failed read is not remembered.
      spaces.catch(() => {
        if (cached?.spaces === spaces) cached = undefined;
      });
    }
    return cached.spaces;
  };
  const refuse = (collection: string, theirs: string) =>
    new FailedPreconditionError(
      `collection "${collection}" holds vectors of embedding space "${theirs}", but this server embeds with ` +
        `"${space}": configure the embedder it was built with, or move it with ` +
        `npm run reindex -- --re-embed --collection ${collection}`,
    );

  return {
    space,
    async claim(collection, ctx) {
      const known = (await recorded(ctx)).get(collection);
      if (known === space) return;
      if (known !== undefined) throw refuse(collection, known);
      const theirs = await deps.repository.claim(collection, space, ctx);
      (await recorded(ctx)).set(collection, theirs);
      if (theirs !== space) throw refuse(collection, theirs);
    },
    async check(collections, ctx) {
      const spaces = await recorded(ctx);
      for (const collection of collections) {
        const theirs = spaces.get(collection);
        if (theirs !== undefined && theirs !== space) throw refuse(collection, theirs);
      }
    },
    async compatible(collection, ctx) {
      const theirs = (await recorded(ctx)).get(collection);
      return theirs === undefined || theirs === space;
    },
    recorded,
  };
}
