import type { CallContext } from '../context';
import type { EmbeddingSpaceGuard } from '../embedding-spaces';
import { fuseLists } from '../fusion';
import type { Reranker, VectorStore } from '../ports';
import type { CollectionBreakers } from './collection-breakers';
import { type SearchVector, embedSearchQuery, embeddingReason, skippedStages, withoutDense } from './dense-fallback';
import { earlyExitRule } from './early-exit';
import { allFailedError, fanOut } from './fan-out';
import type { GoldenAnswerLookup } from './golden-answers/golden-answer-lookup';
import type { QueryEmbedder } from './query-embedder';
import { rerankStage } from './rerank-stage';
import { type SearchLogger, type SearchMetrics, msSince, now } from './search-observability';
import type { SearchOptions } from './search-options';
import type { GoldenAnswerMatch, Retriever, SearchResult } from './search-types';
import type { ValidSearch } from './search-validation';

/** What one search needs, built once by the service. */
export interface SearchPipelineDeps {
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
 * Runs one validated search (docs/search.md, "How a search flows"). The golden-answer lookup runs
 * alongside the query embedding and the fan-out; the query is embedded once and that vector
 * serves both the semantic golden-answer match and the collections. With `goldenAnswerOnly`,
 * a match returns before anything else is done.
 */
export async function runSearch(
  deps: SearchPipelineDeps,
  resolved: ValidSearch,
  ctx: CallContext,
): Promise<SearchResult> {
  const start = now();
  const { options, metrics } = deps;
  const { query, limit } = resolved;
  const timings = { embeddingMs: 0, vectorSearchMs: 0, rerankMs: 0, totalMs: 0, goldenAnswerMs: 0, fusionMs: 0 };
  const timedGolden = async (lookup: () => Promise<GoldenAnswerMatch | undefined>) => {
    const started = now();
    const found = await lookup();
    timings.goldenAnswerMs += msSince(started);
    return found;
  };
  const finish = (result: Omit<SearchResult, 'timings'>): SearchResult => {
    if (result.goldenAnswer) metrics?.goldenAnswerHits.inc({ match: result.goldenAnswer.match });
    for (const stage of result.skipped) metrics?.skippedStages?.inc({ stage });
    metrics?.rerankOutcomes?.inc({ outcome: result.rerankOutcome });
    return { ...result, timings: { ...timings, totalMs: msSince(start) } };
  };
  const goldenOnly = (goldenAnswer: GoldenAnswerMatch) =>
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
    });

  const wantGolden = query !== undefined && !resolved.skipGoldenAnswer;
  const exact = wantGolden ? timedGolden(() => deps.goldenAnswers.exact(query, ctx)) : Promise.resolve(undefined);
  if (resolved.goldenAnswerOnly) {
    const found = await exact;
    if (found) return goldenOnly(found);
  }

  const runDense = resolved.retrieval !== 'lexical';
  // Without text (a caller's vector alone) there is nothing to match words against.
  const runLexical = resolved.retrieval !== 'dense' && query !== undefined;
  // Our query vector is compared only with collections of our embedding space.
  if (!resolved.vector && runDense) await deps.spaces?.check(resolved.collections, ctx);
  // Lexical retrieval never embeds the query: its golden-answer lookup is the exact one alone.
  const embedded: SearchVector =
    !resolved.vector && runDense
      ? await embedSearchQuery(deps.queryEmbedder, query!, ctx)
      : { vector: resolved.vector, ms: 0 };
  timings.embeddingMs = embedded.ms;
  const vector = embedded.vector;
  // Dense alone has nothing to fall back on.
  if (embedded.error && !runLexical) throw embedded.error;
  // A caller's own vector may come from another model: only our embedding is compared with the index.
  const semanticVector = resolved.vector ? undefined : vector;
  // Independent of `limit`: the same query ranks the same way whatever the caller asks for.
  const candidates = options.fusionDepth;
  const golden = exact.then(
    (found) =>
      found ??
      (semanticVector && wantGolden ? timedGolden(() => deps.goldenAnswers.semantic(semanticVector, ctx)) : undefined),
  );
  if (resolved.goldenAnswerOnly) {
    const found = await golden;
    if (found) return goldenOnly(found);
  }

  const fanOutStart = now();
  const fannedOut = await fanOut(
    {
      collections: resolved.collections,
      query: runDense && vector ? { vector, limit: candidates, filters: resolved.filters } : undefined,
      ...(runLexical ? { lexical: { text: query, limit: candidates, filters: resolved.filters } } : {}),
      mode: options.fanOut,
      store: deps.vectorStore,
      breakers: deps.breakers,
      perCollectionTimeoutMs: options.perCollectionTimeoutMs,
      metrics,
    },
    ctx,
  );
  timings.vectorSearchMs = msSince(fanOutStart);
  const fanned = embedded.error ? withoutDense(fannedOut, resolved.collections, embedded.error) : fannedOut;
  if (fanned.answered.length === 0 && fanned.failed.length > 0) throw allFailedError(fanned);
  const retrievers: Retriever[] = [
    ...(runDense ? ['dense' as const] : []),
    ...(runLexical ? ['lexical' as const] : []),
  ];
  metrics?.retrievalModes?.inc({ mode: retrievers.length > 1 ? 'hybrid' : retrievers[0]! });

  const fusionStart = now();
  const fused = fuseLists(fanned.answered, resolved.fusion);
  timings.fusionMs = msSince(fusionStart);
  metrics?.fusionDuration?.observe(timings.fusionMs / 1000);

  const rerank = await rerankStage(
    {
      hits: fused.hits,
      query,
      mode: resolved.rerank,
      candidates: options.rerankCandidates,
      earlyExit: earlyExitRule(options),
      lexicalRerankDense: options.lexicalRerankDense,
      rerankMinBudgetMs: options.rerankMinBudgetMs,
      reranker: deps.reranker,
      metrics,
      logger: deps.logger,
    },
    ctx,
  );
  timings.rerankMs = rerank.rerankMs;

  return finish({
    hits: rerank.hits.slice(0, limit),
    goldenAnswer: await golden,
    reranked: rerank.outcome === 'reranked',
    earlyExit: rerank.earlyExit,
    partial: fanned.failed.length > 0,
    failedCollections: fanned.failed,
    rerankOutcome: rerank.outcome,
    ...(rerank.rerankError === undefined ? {} : { rerankError: rerank.rerankError }),
    retrievers,
    lexicalUnavailable: fanned.lexicalUnavailable,
    ...(fused.fusion === undefined ? {} : { fusion: fused.fusion }),
    skipped: skippedStages(embedded.error !== undefined, wantGolden && embedded.error !== undefined),
    ...(embedded.error ? { embeddingError: embeddingReason(embedded.error) } : {}),
  });
}
