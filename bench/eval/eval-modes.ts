import * as searchProto from '../../src/gen/recall/v1/search';
import { RerankMode } from '../../src/gen/recall/v1/search';

/** One way of searching the collection, as a SearchRequest sets it. */
export interface EvalMode {
  name: string;
  rerank: RerankMode;
  /** A `RetrievalMode` enum value name (e.g. RETRIEVAL_MODE_LEXICAL); undefined leaves the field unset. */
  retrieval?: string;
}

/**
 * The modes of the table. The dense ones run on today's proto; lexical and hybrid need
 * `SearchRequest.retrieval` (issue 10) and are reported as not available until the generated
 * code has it, so the eval runs before and after that change without edits.
 */
export const EVAL_MODES: readonly EvalMode[] = [
  { name: 'dense', rerank: RerankMode.RERANK_MODE_NEVER, retrieval: 'RETRIEVAL_MODE_DENSE' },
  { name: 'dense + rerank', rerank: RerankMode.RERANK_MODE_ALWAYS, retrieval: 'RETRIEVAL_MODE_DENSE' },
  { name: 'lexical', rerank: RerankMode.RERANK_MODE_NEVER, retrieval: 'RETRIEVAL_MODE_LEXICAL' },
  { name: 'hybrid', rerank: RerankMode.RERANK_MODE_NEVER, retrieval: 'RETRIEVAL_MODE_HYBRID' },
  { name: 'hybrid + rerank', rerank: RerankMode.RERANK_MODE_ALWAYS, retrieval: 'RETRIEVAL_MODE_HYBRID' },
  // Dense retrieval with AUTO: the reranker runs unless the early exit applies, so against
  // dense + rerank this isolates the early exit's own quality cost.
  { name: 'dense, AUTO', rerank: RerankMode.RERANK_MODE_AUTO, retrieval: 'RETRIEVAL_MODE_DENSE' },
  // The server's default retrieval (SEARCH_RETRIEVAL_MODE) with the early exit: what a caller gets.
  { name: 'AUTO (default)', rerank: RerankMode.RERANK_MODE_AUTO },
];

/** The numeric value of a RetrievalMode name in the generated code, or undefined when the proto has no such enum yet. */
export function retrievalValue(name: string): number | undefined {
  const enumObject = (searchProto as unknown as Record<string, unknown>).RetrievalMode as
    | Record<string, unknown>
    | undefined;
  const value = enumObject?.[name];
  const hasField = 'retrieval' in searchProto.SearchRequest.fromPartial({});
  return hasField && typeof value === 'number' ? value : undefined;
}

/**
 * Why a mode cannot run against this build (undefined when it can). Dense modes fall back to
 * the proto without `retrieval`, where every search is dense.
 */
export function unavailable(mode: EvalMode): string | undefined {
  if (mode.retrieval === undefined || retrievalValue(mode.retrieval) !== undefined) return undefined;
  if (mode.retrieval === 'RETRIEVAL_MODE_DENSE') return undefined;
  return 'not available: SearchRequest has no `retrieval` field yet';
}

/** The SearchRequest fields a mode sets (`retrieval` only when the proto has it). */
export function modeFields(mode: EvalMode): { rerank: RerankMode; retrieval?: number } {
  const retrieval = mode.retrieval === undefined ? undefined : retrievalValue(mode.retrieval);
  return retrieval === undefined ? { rerank: mode.rerank } : { rerank: mode.rerank, retrieval };
}
