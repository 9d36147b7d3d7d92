import type { FieldViolation } from '../errors';
import { InvalidArgumentError } from '../errors';
import { isInternalCollection } from '../internal-collections';
import type { FusionSettings } from './fusion';
import type { SearchOptions } from './search-options';
import { RESERVED_COLLECTION_NAME, SEARCH_LIMITS } from './search-rules';
import type { RetrievalMode, SearchInput } from './search-types';

/** Largest `rrf_k` a search may ask for (0 means the server's SEARCH_RRF_K). */
export const RRF_K_MAX = 1000;

/** A search request with its defaults applied and its cross-field rules checked. */
export interface ResolvedSearch {
  query: string | undefined;
  vector: number[] | undefined;
  collections: string[];
  limit: number;
  /** The retrieval mode with the server's default applied. */
  retrieval: RetrievalMode;
  fusion: FusionSettings;
}

/** The fields {@link searchFieldViolations} reads. */
export type SearchFields = Pick<SearchInput, 'query' | 'vector' | 'limit' | 'retrieval' | 'rrfK'>;

/**
 * The rules of a search's own fields that need nothing from the running service: a query or a
 * vector, a limit within bounds, query text for lexical retrieval, an RRF k within bounds.
 * The gRPC layer applies them with its shape checks, so one error names every bad field;
 * {@link resolveSearchInput} applies them again for callers that come straight to the domain.
 */
export function searchFieldViolations(
  request: SearchFields,
  limits: { defaultLimit: number; maxLimit: number } = {
    defaultLimit: SEARCH_LIMITS.limitDefault,
    maxLimit: SEARCH_LIMITS.limitMax,
  },
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const query = request.query?.trim() ? request.query : undefined;
  const vector = request.vector?.length ? request.vector : undefined;
  if (!query && !vector) violations.push({ field: 'query', description: 'is required unless vector is given' });
  if (!Number.isInteger(request.limit) || request.limit < 0 || request.limit > limits.maxLimit) {
    violations.push({
      field: 'limit',
      description: `must be between 0 (default ${limits.defaultLimit}) and ${limits.maxLimit}`,
    });
  }
  // Hybrid without text (a caller's vector alone) runs dense only; lexical alone has nothing to search for.
  if (request.retrieval === 'lexical' && !query) {
    violations.push({ field: 'query', description: 'is required for lexical retrieval' });
  }
  const { rrfK } = request;
  if (rrfK !== undefined && (!Number.isInteger(rrfK) || rrfK < 1 || rrfK > RRF_K_MAX)) {
    violations.push({ field: 'rrf_k', description: `must be between 0 (server default) and ${RRF_K_MAX}` });
  }
  return violations;
}

/**
 * Applies the defaults (collections, limit, retrieval, fusion) and checks the fields
 * ({@link searchFieldViolations}) and what only the running service knows: a vector of the
 * embedder's dimension, at least one collection (none given and none configured), no internal
 * (`_`) one. Throws one InvalidArgumentError naming every offending field.
 */
export function resolveSearchInput(request: SearchInput, options: SearchOptions, dimension: number): ResolvedSearch {
  const retrieval = request.retrieval ?? options.retrieval;
  const rrfK = request.rrfK ?? options.rrfK;
  const violations = searchFieldViolations({ ...request, retrieval, rrfK }, options);
  const query = request.query?.trim() ? request.query : undefined;
  // An empty vector means "none": proto3 cannot tell them apart.
  const vector = request.vector?.length ? request.vector : undefined;
  if (vector && vector.length !== dimension) {
    violations.push({ field: 'vector', description: `must have ${dimension} dimensions, not ${vector.length}` });
  }
  const limit = request.limit === 0 ? options.defaultLimit : request.limit;

  const requested = request.collections.length > 0 ? request.collections : options.defaultCollections;
  if (requested.length === 0) {
    violations.push({ field: 'collections', description: 'is required: no default collections are configured' });
  }
  request.collections.forEach((name, i) => {
    if (isInternalCollection(name)) {
      violations.push({ field: `collections[${i}]`, description: RESERVED_COLLECTION_NAME });
    }
  });

  if (violations.length > 0) throw new InvalidArgumentError(violations);
  return {
    query,
    vector,
    collections: [...new Set(requested)],
    limit,
    retrieval,
    fusion: { method: request.fusion ?? options.fusion, rrfK, denseWeight: options.fusionDenseWeight },
  };
}
