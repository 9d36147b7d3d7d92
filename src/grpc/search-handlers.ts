import type { SearchResult, SearchService } from '../domain/search';
import {
  BreakerState,
  GoldenAnswerMatch,
  RerankOutcome,
  type SearchResponse,
  type SearchServiceService,
} from '../gen/recall/v1/search';
import type { Handlers } from './rpc-runtime';
import {
  SEARCH_LIMITS,
  Violations,
  checkCollectionName,
  checkSearchShape,
  checkVector,
  toDomainFilters,
  toRerankMode,
} from './search-validation';

const OUTCOMES: Record<SearchResult['rerankOutcome'], RerankOutcome> = {
  reranked: RerankOutcome.RERANK_OUTCOME_RERANKED,
  skipped_early_exit: RerankOutcome.RERANK_OUTCOME_SKIPPED_EARLY_EXIT,
  skipped_by_request: RerankOutcome.RERANK_OUTCOME_SKIPPED_BY_REQUEST,
  skipped_deadline: RerankOutcome.RERANK_OUTCOME_SKIPPED_DEADLINE,
  failed: RerankOutcome.RERANK_OUTCOME_FAILED,
  skipped_no_hits: RerankOutcome.RERANK_OUTCOME_SKIPPED_NO_HITS,
};

const BREAKER_STATES = {
  closed: BreakerState.BREAKER_STATE_CLOSED,
  open: BreakerState.BREAKER_STATE_OPEN,
  half_open: BreakerState.BREAKER_STATE_HALF_OPEN,
} as const;

/** SearchService handlers: check the request's shape, call the domain, map the result. */
export function searchHandlers(search: SearchService): Handlers<typeof SearchServiceService> {
  return {
    async search(req, ctx) {
      const v = new Violations();
      checkSearchShape(v, req);
      const filters = toDomainFilters(v, req.filters);
      const rerank = toRerankMode(v, req.rerank);
      v.throwIfAny();
      const result = await search.search(
        {
          query: req.query || undefined,
          vector: req.vector.length > 0 ? req.vector : undefined,
          collections: req.collections,
          limit: req.limit,
          filters,
          rerank,
          userId: req.userId || undefined,
          skipGoldenAnswer: req.skipGoldenAnswer,
          goldenAnswerOnly: req.goldenAnswerOnly,
        },
        ctx,
      );
      return toSearchResponse(result);
    },

    async upsertDocuments(req, ctx) {
      const v = new Violations();
      checkCollectionName(v, 'collection', req.collection);
      v.count('documents', req.documents.length, 1, SEARCH_LIMITS.documentsPerCall);
      const seen = new Set<string>();
      req.documents.forEach((doc, i) => {
        const at = `documents[${i}]`;
        if (doc.id.length === 0 || doc.id.length > SEARCH_LIMITS.documentIdMaxLength) {
          v.add(`${at}.id`, `must be 1-${SEARCH_LIMITS.documentIdMaxLength} characters`);
        } else if (seen.has(doc.id)) v.add(`${at}.id`, 'is repeated in this batch');
        seen.add(doc.id);
        const bytes = Buffer.byteLength(doc.text);
        if (doc.text.trim().length === 0) v.add(`${at}.text`, 'must not be blank');
        else if (bytes > SEARCH_LIMITS.documentTextMaxBytes) {
          v.add(`${at}.text`, `must be at most ${SEARCH_LIMITS.documentTextMaxBytes} bytes`);
        }
        v.metadata(`${at}.metadata`, doc.metadata ?? {});
        checkVector(v, `${at}.vector`, doc.vector);
      });
      v.throwIfAny();
      const ids = await search.upsertDocuments(
        req.collection,
        req.documents.map((d) => ({
          id: d.id,
          text: d.text,
          metadata: d.metadata ?? {},
          vector: d.vector.length > 0 ? d.vector : undefined,
        })),
        ctx,
      );
      return { upsertedCount: ids.length, ids };
    },

    async deleteDocuments(req, ctx) {
      const v = new Violations();
      checkCollectionName(v, 'collection', req.collection);
      v.count('ids', req.ids.length, 1, SEARCH_LIMITS.documentsPerCall);
      req.ids.forEach((id, i) => {
        if (id.length === 0 || id.length > SEARCH_LIMITS.documentIdMaxLength) {
          v.add(`ids[${i}]`, `must be 1-${SEARCH_LIMITS.documentIdMaxLength} characters`);
        }
      });
      v.throwIfAny();
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
        })),
      };
    },

    async upsertGoldenAnswer(req, ctx) {
      const v = new Violations();
      if (req.id) v.uuid('id', req.id);
      v.text('question', req.question, SEARCH_LIMITS.goldenQuestionMaxLength);
      v.text('answer', req.answer, SEARCH_LIMITS.goldenAnswerMaxLength);
      v.count('sources', req.sources.length, 0, SEARCH_LIMITS.goldenSourcesMax);
      req.sources.forEach((s, i) => {
        v.text(`sources[${i}]`, s, 2048);
      });
      v.throwIfAny();
      const { answer, created } = await search.upsertGoldenAnswer(
        { id: req.id || undefined, question: req.question, answer: req.answer, sources: req.sources },
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
      const v = new Violations();
      v.uuid('id', req.id);
      v.throwIfAny();
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
      vectorScore: h.vectorScore,
      metadata: h.metadata,
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
    failedCollections: result.failedCollections,
    timings: result.timings,
    rerankOutcome: OUTCOMES[result.rerankOutcome],
    rerankError: result.rerankError ?? '',
  };
}
