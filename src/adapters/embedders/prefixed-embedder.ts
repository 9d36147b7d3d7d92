import type { Embedder, EmbeddingKind } from '../../domain/ports';

/** Instruction prefixes, per kind of text; an empty string adds nothing. */
export interface EmbeddingPrefixes {
  query: string;
  document: string;
}

/**
 * Decorates `inner` so each text is sent with its kind's prefix (bge-small-en-v1.5 wants
 * "Represent this sentence for searching relevant passages: " on queries, e5 "query: " and
 * "passage: "). The kind is still passed on, so a cache in front keeps the two apart.
 * Returns `inner` itself when both prefixes are empty.
 */
export function createPrefixedEmbedder(inner: Embedder, prefixes: EmbeddingPrefixes): Embedder {
  if (prefixes.query === '' && prefixes.document === '') return inner;
  return {
    name: inner.name,
    dimension: inner.dimension,
    embed(texts, ctx, kind: EmbeddingKind = 'document') {
      const prefix = prefixes[kind];
      return inner.embed(prefix === '' ? texts : texts.map((text) => prefix + text), ctx, kind);
    },
  };
}
