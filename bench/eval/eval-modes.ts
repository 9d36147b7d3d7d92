import { RerankMode, RetrievalMode } from '../../src/gen/recall/v1/search';

/** Which reranker the recall under test runs: none (NEVER modes), its built-in one, or a cross-encoder (RERANK_URL). */
export type EvalReranker = 'none' | 'builtin' | 'cross-encoder';

/** Every reranker the eval knows, in the order it runs them. */
export const EVAL_RERANKERS: readonly EvalReranker[] = ['none', 'builtin', 'cross-encoder'];

/** One way of searching the collection, as a SearchRequest sets it. */
export interface EvalMode {
  name: string;
  rerank: RerankMode;
  /** UNSPECIFIED leaves the server's default (SEARCH_RETRIEVAL_MODE). */
  retrieval: RetrievalMode;
  /** The server configuration the mode runs on. */
  reranker: EvalReranker;
  /**
   * What to keep per query beyond the measures: the ranking with its scores (dense and
   * lexical, for fusion sweeps), the first stage's early-exit signals and its ranking (hybrid
   * without rerank), or the reranked ranking with the reranker's scores.
   */
  record?: 'ranking' | 'first-stage' | 'reranked';
}

const { RERANK_MODE_AUTO: AUTO, RERANK_MODE_ALWAYS: ALWAYS, RERANK_MODE_NEVER: NEVER } = RerankMode;
const { RETRIEVAL_MODE_DENSE: DENSE, RETRIEVAL_MODE_LEXICAL: LEXICAL, RETRIEVAL_MODE_HYBRID: HYBRID } = RetrievalMode;

const LABEL: Record<Exclude<EvalReranker, 'none'>, string> = { builtin: 'built-in', 'cross-encoder': 'cross-encoder' };

/**
 * The modes of the table for the given rerankers. Without a reranker: dense, lexical and
 * hybrid. With each reranker: hybrid always reranked (and dense, for the built-in one), and
 * AUTO on the server's default retrieval (what a caller gets: the early exit decides).
 */
export function evalModes(rerankers: readonly EvalReranker[]): EvalMode[] {
  const modes: EvalMode[] = [];
  for (const reranker of rerankers) {
    if (reranker === 'none') {
      modes.push(
        { name: 'dense', rerank: NEVER, retrieval: DENSE, reranker, record: 'ranking' },
        { name: 'lexical', rerank: NEVER, retrieval: LEXICAL, reranker, record: 'ranking' },
        { name: 'hybrid', rerank: NEVER, retrieval: HYBRID, reranker, record: 'first-stage' },
      );
      continue;
    }
    const label = LABEL[reranker];
    // Dense + the cross-encoder would double the model's work for a row no decision rests on.
    if (reranker === 'builtin') modes.push({ name: `dense + ${label}`, rerank: ALWAYS, retrieval: DENSE, reranker });
    modes.push(
      { name: `hybrid + ${label}`, rerank: ALWAYS, retrieval: HYBRID, reranker, record: 'reranked' },
      { name: `AUTO, ${label}`, rerank: AUTO, retrieval: RetrievalMode.RETRIEVAL_MODE_UNSPECIFIED, reranker },
    );
  }
  return modes;
}
