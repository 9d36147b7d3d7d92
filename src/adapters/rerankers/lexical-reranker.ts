import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import type { Reranker } from '../../domain/ports';
import { lexicalTokens, termCounts } from './lexical-tokens';

/** BM25 parameters; the defaults are the textbook ones. */
export interface LexicalRerankerOptions {
  /** Term-frequency saturation (default 1.2). */
  k1?: number;
  /** Length normalisation, 0 (none) to 1 (full) (default 0.75). */
  b?: number;
}

/** Name of the built-in reranker. */
export const LEXICAL_RERANKER_NAME = 'lexical-bm25';

/**
 * The built-in reranker: BM25 of each text against the query, with document frequencies
 * taken from the texts being reranked and query terms counted per occurrence, divided by the best score BM25 could give this query
 * (every term present, saturated). Scores are in [0, 1]: 0 shares no query term, 1 is
 * approached by a short text containing every query term repeatedly. Deterministic, no I/O.
 */
export function createLexicalReranker(options: LexicalRerankerOptions = {}): Reranker {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  return {
    name: LEXICAL_RERANKER_NAME,
    lexical: true,
    async rerank(query: string, texts: string[], ctx: CallContext): Promise<number[]> {
      throwIfDone(ctx);
      return bm25Scores(query, texts, k1, b);
    },
  };
}

/** Normalised BM25 scores of `texts` against `query`, in input order; exported for the model server. */
export function bm25Scores(query: string, texts: string[], k1 = 1.2, b = 0.75): number[] {
  // Each query term counts once per occurrence in the query, as in Lucene and bm25s.
  const queryTerms = [...termCounts(lexicalTokens(query))];
  if (queryTerms.length === 0 || texts.length === 0) return texts.map(() => 0);

  const docs = texts.map((text) => {
    const tokens = lexicalTokens(text);
    return { length: tokens.length, tf: termCounts(tokens) };
  });
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / docs.length || 1;
  const weight = queryTerms.map(([term, qtf]) => {
    const df = docs.reduce((n, d) => n + (d.tf.has(term) ? 1 : 0), 0);
    return qtf * Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
  });
  const best = weight.reduce((sum, w) => sum + w * (k1 + 1), 0);

  return docs.map((doc) => {
    const norm = k1 * (1 - b + (b * doc.length) / avgLength);
    let score = 0;
    queryTerms.forEach(([term], i) => {
      const tf = doc.tf.get(term) ?? 0;
      if (tf > 0) score += ((weight[i] ?? 0) * tf * (k1 + 1)) / (tf + norm); // weight has an entry per term
    });
    return Math.min(1, score / best);
  });
}
