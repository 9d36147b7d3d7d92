import type { CallContext } from '../context';
import type { EmbeddingSpaceGuard } from '../embedding-spaces';
import { defined } from '../errors';
import type { Reranker, VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import { type SearchVector, embedSearchQuery, embeddingReason, skippedStages, withoutDense } from './dense-fallback';
import { earlyExitRule } from './early-exit';
import { type FanOutResult, allFailedError, fanOut } from './fan-out';
import { fuseLists } from './fusion';
import type { GoldenAnswerLookup } from './golden-answers/golden-answer-lookup';
import type { QueryEmbedder } from './query-embedder';
import { rerankStage } from './rerank-stage';
import { type SearchLogger, type SearchMetrics, msSince, now } from './search-observability';
import type { SearchOptions } from './search-options';
import type { GoldenAnswerMatch, Retriever, SearchResult, SearchTimings } from './search-types';
import type { ValidSearch } from './search-validation';

/** What one search needs, built once by the service. */
export interface SearchFlowDeps {
  vectorStore: VectorStore;
  reranker: Reranker;
  queryEmbedder: QueryEmbedder;
  goldenAnswers: GoldenAnswerLookup;
  breakers: CollectionBreakers;
  options: SearchOptions;
  metrics?: SearchMetrics;
  logger: SearchLogger;
  spaces?: EmbeddingSpaceGuard | undefined;
}

/**
 * Runs one validated search (docs/search.md, "How a search flows"): the golden-answer lookup
 * runs alongside the query embedding and the fan-out; the query is embedded once and that
 * vector serves both the semantic golden-answer match and the collections; the retrievers'
 * lists are fused, then reranked unless the early exit or the request says otherwise. With
 * `goldenAnswerOnly`, a match returns before anything else is done.
 */
export async function runSearch(deps: SearchFlowDeps, search: ValidSearch, ctx: CallContext): Promise<SearchResult> {
  const clock = searchClock(deps.metrics);
  const { query } = search;
  const wantGolden = query !== undefined && !search.skipGoldenAnswer;
  const exact = wantGolden ? clock.golden(() => deps.goldenAnswers.exact(query, ctx)) : Promise.resolve(undefined);
  if (search.goldenAnswerOnly) {
    const found = await exact;
    if (found) return clock.goldenOnly(found);
  }

  const plan = retrievalPlan(search);
  const embedded = await embedQuery(deps, search, plan, ctx);
  clock.timings.embeddingMs = embedded.ms;
  // A caller's own vector may come from another model: only our embedding is compared with the index.
  const semanticVector = search.vector ? undefined : embedded.vector;
  const golden = exact.then(
    (found) =>
      found ??
      (semanticVector && wantGolden ? clock.golden(() => deps.goldenAnswers.semantic(semanticVector, ctx)) : undefined),
  );
  if (search.goldenAnswerOnly) {
    const found = await golden;
    if (found) return clock.goldenOnly(found);
  }

  const fanned = await clock.time('vectorSearchMs', () => retrieve(deps, search, plan, embedded, ctx));
  const fused = await clock.time('fusionMs', async () => fuseLists(fanned.answered, search.fusion));
  deps.metrics?.fusionDuration?.observe(clock.timings.fusionMs / 1000);
  const rerank = await rerankStage(
    {
      hits: fused.hits,
      query,
      rerank: search.rerank,
      candidates: deps.options.rerankCandidates,
      earlyExit: earlyExitRule(deps.options),
      lexicalRerankDense: deps.options.lexicalRerankDense,
      rerankMinBudgetMs: deps.options.rerankMinBudgetMs,
      reranker: deps.reranker,
      ...(deps.metrics && { metrics: deps.metrics }),
      logger: deps.logger,
    },
    ctx,
  );
  clock.timings.rerankMs = rerank.rerankMs;

  const goldenAnswer = await golden;
  return clock.finish({
    hits: rerank.hits.slice(0, search.limit),
    ...(goldenAnswer && { goldenAnswer }),
    reranked: rerank.outcome === 'reranked',
    earlyExit: rerank.earlyExit,
    partial: fanned.failed.length > 0,
    failedCollections: fanned.failed,
    rerankOutcome: rerank.outcome,
    ...(rerank.rerankError === undefined ? {} : { rerankError: rerank.rerankError }),
    retrievers: plan.retrievers,
    lexicalUnavailable: fanned.lexicalUnavailable,
    ...(fused.fusion === undefined ? {} : { fusion: fused.fusion }),
    skipped: skippedStages(embedded.error !== undefined, wantGolden && embedded.error !== undefined),
    ...(embedded.error ? { embeddingError: embeddingReason(embedded.error) } : {}),
  });
}

/** Which retrievers a search runs. */
interface RetrievalPlan {
  dense: boolean;
  lexical: boolean;
  /** The ones that run, dense first (what the response lists). */
  retrievers: Retriever[];
}

function retrievalPlan(search: ValidSearch): RetrievalPlan {
  const dense = search.retrieval !== 'lexical';
  // Without text (a caller's vector alone) there is nothing to match words against.
  const lexical = search.retrieval !== 'dense' && search.query !== undefined;
  const retrievers: Retriever[] = [...(dense ? ['dense' as const] : []), ...(lexical ? ['lexical' as const] : [])];
  return { dense, lexical, retrievers };
}

/**
 * The query vector: the caller's, or the query embedded once (never for lexical retrieval, whose
 * golden-answer lookup is the exact one alone). An embedding failure is returned, not thrown,
 * while a lexical retriever can go on without it (docs/reliability.md, "Degrade, don't fail").
 */
async function embedQuery(
  deps: SearchFlowDeps,
  search: ValidSearch,
  plan: RetrievalPlan,
  ctx: CallContext,
): Promise<SearchVector> {
  if (search.vector || !plan.dense) return { ...(search.vector && { vector: search.vector }), ms: 0 };
  // Our query vector is compared only with collections of our embedding space.
  await deps.spaces?.check(search.collections, ctx);
  const text = defined(search.query, 'the query text of a search without a vector');
  const embedded = await embedSearchQuery(deps.queryEmbedder, text, ctx);
  // Dense alone has nothing to fall back on.
  if (embedded.error && !plan.lexical) throw embedded.error;
  return embedded;
}

/** Fans the retrievers out over the collections; throws when no collection answered. */
async function retrieve(
  deps: SearchFlowDeps,
  search: ValidSearch,
  plan: RetrievalPlan,
  embedded: SearchVector,
  ctx: CallContext,
): Promise<FanOutResult> {
  const { options, metrics } = deps;
  // Independent of `limit`: the same query ranks the same way whatever the caller asks for.
  const candidates = options.fusionDepth;
  const { vector } = embedded;
  const fannedOut = await fanOut(
    {
      collections: search.collections,
      query: plan.dense && vector ? { vector, limit: candidates, filters: search.filters } : undefined,
      ...(plan.lexical && search.query !== undefined
        ? { lexical: { text: search.query, limit: candidates, filters: search.filters } }
        : {}),
      strategy: options.fanOut,
      store: deps.vectorStore,
      breakers: deps.breakers,
      perCollectionTimeoutMs: options.perCollectionTimeoutMs,
      ...(metrics && { metrics }),
    },
    ctx,
  );
  const fanned = embedded.error ? withoutDense(fannedOut, search.collections, embedded.error) : fannedOut;
  if (fanned.answered.length === 0 && fanned.failed.length > 0) throw allFailedError(fanned);
  const mode = plan.retrievers.length > 1 ? 'hybrid' : plan.retrievers[0];
  if (mode) metrics?.retrievalModes?.inc({ mode });
  return fanned;
}

/** A search's timings and the metrics recorded when it finishes. */
function searchClock(metrics: SearchMetrics | undefined) {
  const start = now();
  const timings: SearchTimings = {
    embeddingMs: 0,
    vectorSearchMs: 0,
    rerankMs: 0,
    totalMs: 0,
    goldenAnswerMs: 0,
    fusionMs: 0,
  };
  const finish = (result: Omit<SearchResult, 'timings'>): SearchResult => {
    if (result.goldenAnswer) metrics?.goldenAnswerHits.inc({ match: result.goldenAnswer.match });
    for (const stage of result.skipped) metrics?.skippedStages?.inc({ stage });
    metrics?.rerankOutcomes?.inc({ outcome: result.rerankOutcome });
    return { ...result, timings: { ...timings, totalMs: msSince(start) } };
  };
  return {
    timings,
    finish,
    /** Runs `work`, adding its milliseconds to `timings[stage]`. */
    async time<T>(stage: keyof SearchTimings, work: () => Promise<T>): Promise<T> {
      const started = now();
      try {
        return await work();
      } finally {
        timings[stage] += msSince(started);
      }
    },
    /** A golden-answer lookup, timed (the exact and semantic ones add up). */
    async golden(lookup: () => Promise<GoldenAnswerMatch | undefined>): Promise<GoldenAnswerMatch | undefined> {
      const started = now();
      const found = await lookup();
      timings.goldenAnswerMs += msSince(started);
      return found;
    },
    /** The response of a `goldenAnswerOnly` search that found its answer. */
    goldenOnly: (goldenAnswer: GoldenAnswerMatch) =>
      finish({
        hits: [],
        goldenAnswer,
        reranked: false,
        earlyExit: false,
        partial: false,
        failedCollections: [],
        rerankOutcome: 'skipped_no_hits',
        retrievers: [],
        lexicalUnavailable: [],
        skipped: [],
      }),
  };
}
