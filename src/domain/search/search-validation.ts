import { type FilterInput, filterViolations } from '../filter-rules';
import type { FusionSettings } from '../fusion';
/**
 * SearchService's use-case input checks, one function per use case, in the pattern
 * memory-validation.ts follows for MemoryService: each takes the request as the caller sent it,
 * names every bad field in one InvalidArgumentError (so a caller learns all its mistakes at
 * once and nothing is read or written), and returns what the use case runs on. The gRPC layer
 * only translates; the stores trust what comes out of here.
 */
import type { MetadataFilter } from '../ports';
import { NUL_PROBLEM, Violations, addIf, containsNul } from '../validation';
import type { SearchOptions } from './search-options';
import {
  SEARCH_LIMITS,
  collectionNameProblem,
  documentIdProblem,
  documentMetadataProblem,
  documentTextProblem,
  vectorProblem,
} from './search-rules';
import type {
  DocumentInput,
  FusionMethod,
  GoldenAnswerInput,
  RerankMode,
  RetrievalMode,
  SearchInput,
} from './search-types';

/** Largest `rrf_k` a search may ask for (0 means the server's SEARCH_RRF_K). */
export const RRF_K_MAX = 1000;

const RERANK_MODES: readonly RerankMode[] = ['auto', 'always', 'never'];
const RETRIEVAL_MODES: readonly RetrievalMode[] = ['hybrid', 'dense', 'lexical'];
const FUSION_METHODS: readonly FusionMethod[] = ['rrf', 'weighted'];

/** A search with its defaults applied and every rule checked: what the pipeline runs. */
export interface ValidSearch {
  query: string | undefined;
  vector: number[] | undefined;
  collections: string[];
  limit: number;
  filters: MetadataFilter[];
  rerank: RerankMode;
  /** The retrieval mode with the server's default applied. */
  retrieval: RetrievalMode;
  fusion: FusionSettings;
  skipGoldenAnswer: boolean;
  goldenAnswerOnly: boolean;
}

/**
 * Validates a Search and applies the server's defaults (collections, limit, retrieval, fusion):
 * query length, collections (none given and none configured; no internal `_` one), user id,
 * a vector of the embedder's `dimension`, limit, rerank / retrieval / fusion values, RRF k,
 * query text for lexical retrieval, and the filters.
 */
export function validateSearch(request: SearchInput, options: SearchOptions, dimension: number): ValidSearch {
  const v = new Violations();
  const query = request.query?.trim() ? request.query : undefined;
  // An empty vector means "none": proto3 cannot tell them apart.
  const vector = request.vector?.length ? request.vector : undefined;
  if ((request.query?.length ?? 0) > SEARCH_LIMITS.queryMaxLength) {
    v.add('query', `must be at most ${SEARCH_LIMITS.queryMaxLength} characters`);
  } else if (request.query && containsNul(request.query)) {
    v.add('query', NUL_PROBLEM);
  }
  if (!query && !vector) v.add('query', 'is required unless vector is given');
  const { limit } = request;
  if (!Number.isInteger(limit) || limit < 0 || limit > options.maxLimit) {
    v.add('limit', `must be between 0 (default ${options.defaultLimit}) and ${options.maxLimit}`);
  }
  const rerank = oneOf(v, 'rerank', request.rerank ?? 'auto', RERANK_MODES, 'RERANK_MODE');
  const retrieval = oneOf(v, 'retrieval', request.retrieval ?? options.retrieval, RETRIEVAL_MODES, 'RETRIEVAL_MODE');
  const method = oneOf(v, 'fusion', request.fusion ?? options.fusion, FUSION_METHODS, 'FUSION_METHOD');
  // Hybrid without text (a caller's vector alone) runs dense only; lexical alone has nothing to search for.
  if (retrieval === 'lexical' && !query) v.add('query', 'is required for lexical retrieval');
  const rrfK = request.rrfK ?? options.rrfK;
  if (!Number.isInteger(rrfK) || rrfK < 1 || rrfK > RRF_K_MAX) {
    v.add('rrf_k', `must be between 0 (server default) and ${RRF_K_MAX}`);
  }
  if (vector) {
    const problem = vectorProblem(vector) ?? dimensionMismatchProblem(vector, dimension);
    if (problem) v.add('vector', problem);
  }
  addCollectionsViolations(v, request.collections, options.defaultCollections);
  if (request.userId) v.userId('user_id', request.userId);
  addFiltersViolations(v, request.filters);
  v.throwIfAny();
  const requested = request.collections.length > 0 ? request.collections : options.defaultCollections;
  return {
    query,
    vector,
    collections: [...new Set(requested)],
    limit: limit === 0 ? options.defaultLimit : limit,
    // Checked above: every filter has a known operator and values of the right kinds.
    filters: request.filters as MetadataFilter[],
    rerank,
    retrieval,
    fusion: { method, rrfK, denseWeight: options.fusionDenseWeight },
    skipGoldenAnswer: request.skipGoldenAnswer,
    goldenAnswerOnly: request.goldenAnswerOnly,
  };
}

/**
 * Validates an UpsertDocuments: a public collection, 1 to SEARCH_LIMITS.documentsPerCall
 * documents, and each document's id (unique in the batch), text, metadata and optional vector
 * (of the embedder's `dimension`).
 */
export function validateUpsertDocuments(
  collection: string,
  documents: readonly DocumentInput[],
  dimension: number,
): void {
  const v = new Violations();
  addIf(v, 'collection', collectionNameProblem(collection));
  v.count('documents', documents.length, 1, SEARCH_LIMITS.documentsPerCall);
  const seen = new Set<string>();
  documents.forEach((doc, i) => {
    const at = `documents[${i}]`;
    const idProblem = documentIdProblem(doc.id);
    if (idProblem) v.add(`${at}.id`, idProblem);
    else if (seen.has(doc.id)) v.add(`${at}.id`, 'is repeated in this batch');
    seen.add(doc.id);
    addIf(v, `${at}.text`, documentTextProblem(doc.text));
    addIf(v, `${at}.metadata`, documentMetadataProblem(doc.metadata));
    // proto3 cannot tell an empty vector from none: empty means "embed the text".
    if (doc.vector?.length)
      addIf(v, `${at}.vector`, vectorProblem(doc.vector) ?? dimensionMismatchProblem(doc.vector, dimension));
  });
  v.throwIfAny();
}

/** Validates a DeleteDocuments: a public collection and 1 to SEARCH_LIMITS.documentsPerCall valid ids. */
export function validateDeleteDocuments(collection: string, ids: readonly string[]): void {
  const v = new Violations();
  addIf(v, 'collection', collectionNameProblem(collection));
  v.count('ids', ids.length, 1, SEARCH_LIMITS.documentsPerCall);
  ids.forEach((id, i) => {
    addIf(v, `ids[${i}]`, documentIdProblem(id));
  });
  v.throwIfAny();
}

/** Validates an UpsertGoldenAnswer: optional UUID id, question, answer and sources. */
export function validateGoldenAnswer(input: GoldenAnswerInput): void {
  const v = new Violations();
  if (input.id) v.uuid('id', input.id);
  v.text('question', input.question, SEARCH_LIMITS.goldenQuestionMaxLength);
  v.text('answer', input.answer, SEARCH_LIMITS.goldenAnswerMaxLength);
  v.count('sources', input.sources.length, 0, SEARCH_LIMITS.goldenSourcesMax);
  input.sources.forEach((source, i) => {
    v.text(`sources[${i}]`, source, SEARCH_LIMITS.goldenSourceMaxLength);
  });
  v.throwIfAny();
}

/** Validates a DeleteGoldenAnswer's id (a UUID). */
export function validateGoldenAnswerId(id: string): void {
  const v = new Violations();
  v.uuid('id', id);
  v.throwIfAny();
}

function addCollectionsViolations(v: Violations, collections: readonly string[], defaults: readonly string[]): void {
  if (collections.length > SEARCH_LIMITS.collectionsPerSearch) {
    v.add('collections', `must have at most ${SEARCH_LIMITS.collectionsPerSearch} items`);
  }
  collections.forEach((name, i) => {
    addIf(v, `collections[${i}]`, collectionNameProblem(name));
  });
  if (collections.length === 0 && defaults.length === 0) {
    v.add('collections', 'is required: no default collections are configured');
  }
}

function addFiltersViolations(v: Violations, filters: readonly FilterInput[]): void {
  if (filters.length > SEARCH_LIMITS.filtersPerSearch) {
    v.add('filters', `must have at most ${SEARCH_LIMITS.filtersPerSearch} items`);
  }
  filters.forEach((filter, i) => {
    for (const violation of filterViolations(`filters[${i}]`, filter, SEARCH_LIMITS.valuesPerFilter)) {
      v.add(violation.field, violation.description);
    }
  });
}

/** The value when it is one of `allowed`; otherwise a violation naming the proto enum, and the first allowed. */
function oneOf<T extends string>(
  v: Violations,
  field: string,
  value: string,
  allowed: readonly T[],
  enumName: string,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  v.add(field, `must be one of the ${enumName}_* values`);
  return allowed[0] as T;
}

function dimensionMismatchProblem(vector: readonly number[], dimension: number): string | undefined {
  return vector.length === dimension ? undefined : `must have ${dimension} dimensions, not ${vector.length}`;
}
