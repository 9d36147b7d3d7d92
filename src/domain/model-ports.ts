/** The model ports: turning texts into vectors, and scoring texts against a query. */
import type { CallContext } from './context';

/**
 * What texts are embedded for. Models such as bge and e5 embed a search query differently from
 * the passage that answers it (an instruction prefix on one side): `query` is what is searched
 * with (a Search query, a RecallFacts query, a golden answer's question), `document` what is
 * searched (documents, facts).
 */
export type EmbeddingKind = 'query' | 'document';

/** Turns texts into vectors of a fixed dimension, unit length. */
export interface Embedder {
  readonly name: string;
  readonly dimension: number;
  /**
   * What else shapes the vectors besides the model and dimension (a digest of the
   * instruction prefixes), so that it is part of the embedding space; absent when nothing.
   */
  readonly variant?: string;
  /** One vector per text, same order; `kind` defaults to `document`. */
  embed(texts: string[], ctx: CallContext, kind?: EmbeddingKind): Promise<number[][]>;
}

/** Scores texts against a query; higher is more relevant. */
export interface Reranker {
  readonly name: string;
  /**
   * True when the reranker scores a text by the query's own words alone (the built-in BM25
   * reranker). It then adds nothing that lexical retrieval has not already weighed — with the
   * whole collection's statistics rather than the candidates' — so AUTO does not run it on
   * hits that lexical retrieval found. A model (cross-encoder) reranker leaves it unset.
   */
  readonly lexical?: boolean;
  /** One score per text, same order as `texts`. */
  rerank(query: string, texts: string[], ctx: CallContext): Promise<number[]>;
}
