import type { CallContext } from '../context';
import { RecallError, isOwnFault } from '../errors';
import { type FusedHit, type FusionSettings, type RankedList, type Retriever, fuseLists } from '../fusion';
import type { Fact, FactView, LexicalFactIndex, MemoryRepository, ScoredFactId } from '../ports';
import type { FactIndex } from './fact-index';
import { MEMORY_LIMITS, type RecallRetrieval, validateRecallFacts } from './memory-validation';
import { weighByRecency } from './recency';

/**
 * A recalled fact: `score` is the fused score under hybrid retrieval (or the one retriever's
 * score: cosine for dense, BM25 for lexical); `vectorScore` / `lexicalScore` are each
 * retriever's own score when it found the fact.
 */
export type ScoredFact = Fact & { score: number; vectorScore?: number; lexicalScore?: number };

/** Logs what the service cannot report to the caller (best-effort clean-ups). */
export interface MemoryLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info?(details: Record<string, unknown>, message: string): void;
}

/** How RecallFacts ranks by default: the retrieval mode and the fusion Search uses. */
export interface FactRecallOptions {
  retrieval: RecallRetrieval;
  fusion: FusionSettings;
}

/** What RecallFacts needs: the repository (source of truth) and the two fact indexes. */
export interface FactRecallDeps {
  repository: MemoryRepository;
  factIndex?: FactIndex | undefined;
  lexicalIndex?: LexicalFactIndex | undefined;
  logger?: MemoryLogger | undefined;
  options?: FactRecallOptions | undefined;
  /** Scores are weighed by the facts' age with this half-life (days); 0: off. */
  recencyHalfLifeDays?: number | undefined;
}

/**
 * RecallFacts as the caller sent it; `retrieval` undefined means the server's default, and the
 * view (FactView) which versions count: the facts valid now by default.
 */
export interface RecallFactsInput extends FactView {
  userId: string;
  query: string;
  limit: number;
  retrieval?: string | undefined;
}

const DEFAULT_OPTIONS: FactRecallOptions = {
  retrieval: 'hybrid',
  fusion: { method: 'rrf', rrfK: 60, denseWeight: 0.5 },
};
/** The facts' "collection" in fusion, which ranks (collection, id) pairs. */
const FACTS = 'facts';
/** Candidates per retriever before fusion, whatever the caller's limit (as Search's fusion depth). */
const DEPTH = MEMORY_LIMITS.recallMax;

/**
 * Creates RecallFacts: the user's facts most relevant to the query, best first; never another
 * user's. Dense (the fact index) and lexical (BM25 over the user's facts) retrieval run side by
 * side and are fused as Search fuses; each retriever scores the user's facts only. Under
 * hybrid, a dense side that fails for a reason not the caller's (embedder down, its breaker
 * open) leaves the lexical hits. Index entries whose fact is gone are dropped and collected.
 */
export function createFactRecall(deps: FactRecallDeps) {
  const { repository, factIndex, lexicalIndex, logger } = deps;
  const options = deps.options ?? DEFAULT_OPTIONS;

  /**
   * Removes index entries whose fact has no row (left by a process that died between the
   * vector write and the commit). Decided under the user's fact lock, so an entry whose
   * AddFacts is still committing is kept. Best effort: recall already ignores such entries.
   */
  async function collectOrphans(userId: string, ids: string[], ctx: CallContext): Promise<void> {
    if (!factIndex) return;
    try {
      // Versions outside the view asked for are not orphans: only ids without any row are.
      const present = new Set(
        (await repository.getFacts(userId, ids, ctx, { includeHistory: true })).map((fact) => fact.id),
      );
      const absent = ids.filter((id) => !present.has(id));
      if (absent.length === 0) return;
      const removed = await repository.withMissingFacts(userId, absent, ctx, async (missing) => {
        await factIndex.remove(userId, missing, ctx);
      });
      if (removed.length > 0) logger?.info?.({ userId, count: removed.length }, 'removed fact vectors without a fact');
    } catch (error) {
      logger?.warn({ err: error, userId }, 'collecting fact vectors without a fact failed');
    }
  }

  /** The ranked lists of the retrievers the mode asks for; a failed dense side is dropped under hybrid. */
  async function retrieve(input: RecallFactsInput, retrieval: RecallRetrieval, ctx: CallContext) {
    const dense =
      retrieval !== 'lexical' && factIndex ? factIndex.recall(input.userId, input.query, DEPTH, ctx) : undefined;
    const lexical =
      retrieval !== 'dense' && lexicalIndex ? lexicalIndex.search(input.userId, input.query, DEPTH, ctx) : undefined;
    // Settle the dense side first, so that a lexical failure never leaves it unobserved.
    const denseResult = dense?.then(
      (hits) => ({ hits }),
      (error: unknown) => ({ error }),
    );
    const lists: RankedList[] = [];
    const lexicalHits = lexical ? await lexical : undefined;
    const denseSettled = await denseResult;
    if (denseSettled && 'error' in denseSettled) {
      if (retrieval !== 'hybrid' || !lexicalHits || !degradable(denseSettled.error)) throw denseSettled.error;
      logger?.warn({ err: denseSettled.error, userId: input.userId }, 'fact recall went on without its dense side');
    } else if (denseSettled) lists.push(rankedList('dense', denseSettled.hits));
    if (lexicalHits) lists.push(rankedList('lexical', lexicalHits));
    return lists;
  }

  return async function recallFacts(input: RecallFactsInput, ctx: CallContext): Promise<{ facts: ScoredFact[] }> {
    const { limit, retrieval } = validateRecallFacts(input, options.retrieval);
    const lists = await retrieve(input, retrieval, ctx);
    const ranked = fuseLists(lists, options.fusion).hits;
    const view: FactView = { asOf: input.asOf, includeHistory: input.includeHistory ?? false };
    const recency = deps.recencyHalfLifeDays ?? 0;
    // Weighing by age reorders: twice the limit gives it candidates to promote.
    const wanted = recency > 0 ? limit * 2 : limit;
    const { facts, orphans } = await readRanked(repository, input.userId, ranked, wanted, view, ctx);
    if (orphans.length > 0) await collectOrphans(input.userId, orphans, ctx);
    return { facts: weighByRecency(facts, recency, input.asOf ?? new Date()).slice(0, limit) };
  };
}

/**
 * The first `wanted` of the ranked candidates that have a row in the view. The database is
 * the source of truth, and it applies the view: a candidate whose fact is gone (or outside
 * the view) is dropped, and the next ones fill its place. A dense candidate without a row is
 * returned among the orphans (its vector outlived its fact).
 */
async function readRanked(
  repository: MemoryRepository,
  userId: string,
  ranked: FusedHit[],
  wanted: number,
  view: FactView,
  ctx: CallContext,
): Promise<{ facts: ScoredFact[]; orphans: string[] }> {
  const facts: ScoredFact[] = [];
  const orphans: string[] = [];
  for (let at = 0; at < ranked.length && facts.length < wanted; ) {
    const batch = ranked.slice(at, at + wanted - facts.length);
    at += batch.length;
    const rows = await repository.getFacts(
      userId,
      batch.map((hit) => hit.id),
      ctx,
      view,
    );
    const stored = new Map(rows.map((fact) => [fact.id, fact]));
    for (const hit of batch) {
      const fact = stored.get(hit.id);
      if (fact) facts.push(scored(fact, hit));
      else if (hit.vectorScore !== undefined) orphans.push(hit.id);
    }
  }
  return { facts, orphans };
}

function rankedList(retriever: Retriever, hits: ScoredFactId[]): RankedList {
  return {
    collection: FACTS,
    retriever,
    hits: hits.map((hit) => ({ id: hit.factId, score: hit.score, text: '', metadata: {} })),
  };
}

function scored(fact: Fact, hit: FusedHit): ScoredFact {
  return {
    ...fact,
    score: hit.score,
    ...(hit.vectorScore !== undefined ? { vectorScore: hit.vectorScore } : {}),
    ...(hit.lexicalScore !== undefined ? { lexicalScore: hit.lexicalScore } : {}),
  };
}

/**
 * Whether a failed dense side may leave a lexical-only answer: not for the caller's own
 * fault, nor for an index in another embedding space (refused, as Search refuses it).
 */
function degradable(error: unknown): boolean {
  return !isOwnFault(error) && !(error instanceof RecallError && error.code === 'failed_precondition');
}
