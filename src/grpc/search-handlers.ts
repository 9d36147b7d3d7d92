import type { SearchResult, SearchService } from '../domain/search';
import {
  BreakerState,
  FusionMethod,
  GoldenAnswerMatch,
  RerankOutcome,
  Retriever,
  type SearchResponse,
  type SearchServiceService,
  SkippedStage,
} from '../gen/recall/v1/search';
import type { Handlers } from './rpc-runtime';
import { toFilterInputs, toFusionMethod, toRerankMode, toRetrievalMode } from './search-translation';

const OUTCOMES: Record<SearchResult['rerankOutcome'], RerankOutcome> = {
  reranked: RerankOutcome.RERANK_OUTCOME_RERANKED,
  skipped_early_exit: RerankOutcome.RERANK_OUTCOME_SKIPPED_EARLY_EXIT,
  skipped_lexical: RerankOutcome.RERANK_OUTCOME_SKIPPED_LEXICAL,
  skipped_by_request: RerankOutcome.RERANK_OUTCOME_SKIPPED_BY_REQUEST,
  skipped_deadline: RerankOutcome.RERANK_OUTCOME_SKIPPED_DEADLINE,
  failed: RerankOutcome.RERANK_OUTCOME_FAILED,
  skipped_no_hits: RerankOutcome.RERANK_OUTCOME_SKIPPED_NO_HITS,
};

const RETRIEVERS = { dense: Retriever.RETRIEVER_DENSE, lexical: Retriever.RETRIEVER_LEXICAL } as const;
const FUSIONS = { rrf: FusionMethod.FUSION_METHOD_RRF, weighted: FusionMethod.FUSION_METHOD_WEIGHTED } as const;

const SKIPPED_STAGES = {
  dense_retrieval: SkippedStage.SKIPPED_STAGE_DENSE_RETRIEVAL,
  semantic_golden_answer: SkippedStage.SKIPPED_STAGE_SEMANTIC_GOLDEN_ANSWER,
} as const;

const BREAKER_STATES = {
  closed: BreakerState.BREAKER_STATE_CLOSED,
  open: BreakerState.BREAKER_STATE_OPEN,
  half_open: BreakerState.BREAKER_STATE_HALF_OPEN,
} as const;

/** SearchService handlers: translate protobuf messages to domain calls and back, nothing more. */
export function searchHandlers(search: SearchService): Handlers<typeof SearchServiceService> {
  return {
    async search(req, ctx) {
      const retrieval = toRetrievalMode(req.retrieval);
      const fusion = toFusionMethod(req.fusion);
      const result = await search.search(
        {
          ...(req.query ? { query: req.query } : {}),
          ...(req.vector.length > 0 ? { vector: req.vector } : {}),
          collections: req.collections,
          limit: req.limit,
          filters: toFilterInputs(req.filters),
          rerank: toRerankMode(req.rerank),
          ...(req.userId ? { userId: req.userId } : {}),
          skipGoldenAnswer: req.skipGoldenAnswer,
          goldenAnswerOnly: req.goldenAnswerOnly,
          ...(retrieval ? { retrieval } : {}),
          ...(fusion ? { fusion } : {}),
          ...(req.rrfK > 0 ? { rrfK: req.rrfK } : {}),
        },
        ctx,
      );
      return toSearchResponse(result);
    },

    async upsertDocuments(req, ctx) {
      const documents = req.documents.map((d) => ({
        id: d.id,
        text: d.text,
        metadata: d.metadata ?? {},
        ...(d.vector.length > 0 ? { vector: d.vector } : {}),
      }));
      const ids = await search.upsertDocuments(req.collection, documents, ctx);
      return { upsertedCount: ids.length, ids };
    },

    async deleteDocuments(req, ctx) {
      return { deletedCount: await search.deleteDocuments(req.collection, req.ids, ctx) };
    },

    async listCollections(_req, ctx) {
      const collections = await search.listCollections(ctx);
      return {
        collections: collections.map((c) => ({
          name: c.name,
          documentCount: c.documentCount,
          dimension: c.dimension,
          state: BREAKER_STATES[c.breakerState],
          lexical: c.lexical,
          embeddingSpace: c.embeddingSpace,
        })),
      };
    },

    async upsertGoldenAnswer(req, ctx) {
      const { answer, created } = await search.upsertGoldenAnswer(
        { ...(req.id ? { id: req.id } : {}), question: req.question, answer: req.answer, sources: req.sources },
        ctx,
      );
      return {
        goldenAnswer: {
          id: answer.id,
          question: answer.question,
          answer: answer.answer,
          sources: answer.sources,
          score: 0,
          match: GoldenAnswerMatch.GOLDEN_ANSWER_MATCH_UNSPECIFIED,
        },
        created,
      };
    },

    async deleteGoldenAnswer(req, ctx) {
      await search.deleteGoldenAnswer(req.id, ctx);
      return { id: req.id };
    },
  };
}

function toSearchResponse(result: SearchResult): SearchResponse {
  const golden = result.goldenAnswer;
  return {
    hits: result.hits.map((h) => ({
      id: h.id,
      collection: h.collection,
      text: h.text,
      score: h.score,
      vectorScore: h.vectorScore ?? 0,
      metadata: h.metadata,
      lexicalScore: h.lexicalScore ?? 0,
      vectorRank: h.vectorRank ?? 0,
      lexicalRank: h.lexicalRank ?? 0,
    })),
    goldenAnswer: golden && {
      id: golden.id,
      question: golden.question,
      answer: golden.answer,
      sources: golden.sources,
      score: golden.score,
      match:
        golden.match === 'exact'
          ? GoldenAnswerMatch.GOLDEN_ANSWER_MATCH_EXACT
          : GoldenAnswerMatch.GOLDEN_ANSWER_MATCH_SEMANTIC,
    },
    reranked: result.reranked,
    earlyExit: result.earlyExit,
    partial: result.partial,
    failedCollections: result.failedCollections.map((f) => ({
      name: f.name,
      reason: f.reason,
      retriever: f.retriever ? RETRIEVERS[f.retriever] : Retriever.RETRIEVER_UNSPECIFIED,
    })),
    timings: result.timings,
    rerankOutcome: OUTCOMES[result.rerankOutcome],
    rerankError: result.rerankError ?? '',
    retrievers: result.retrievers.map((r) => RETRIEVERS[r]),
    lexicalUnavailable: result.lexicalUnavailable,
    fusion: result.fusion ? FUSIONS[result.fusion] : FusionMethod.FUSION_METHOD_UNSPECIFIED,
    skipped: result.skipped.map((stage) => SKIPPED_STAGES[stage]),
    embeddingError: result.embeddingError ?? '',
  };
}
