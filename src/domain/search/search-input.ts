import type { FieldViolation } from '../errors';
import { InvalidArgumentError } from '../errors';
import { isInternalCollection } from '../internal-collections';
import type { FusionSettings } from './fusion';
import type { SearchOptions } from './search-options';
import { RESERVED_COLLECTION_NAME } from './search-rules';
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

/**
 * Applies the defaults (collections, limit) and checks what only the domain knows: a query or
 * a vector of the embedder's dimension, a limit within bounds, at least one collection and no
 * internal (`_`) one, query text for a lexical-only search, an RRF k within bounds. Throws one InvalidArgumentError naming every offending field.
 */
export function resolveSearchInput(request: SearchInput, options: SearchOptions, dimension: number): ResolvedSearch {
  const violations: FieldViolation[] = [];
  const query = request.query?.trim() ? request.query : undefined;
  // An empty vector means "none": proto3 cannot tell them apart.
  const vector = request.vector?.length ? request.vector : undefined;
  if (!query && !vector) violations.push({ field: 'query', description: 'is required unless vector is given' });
  if (vector && vector.length !== dimension) {
    violations.push({ field: 'vector', description: `must have ${dimension} dimensions, not ${vector.length}` });
  }

  if (!Number.isInteger(request.limit) || request.limit < 0 || request.limit > options.maxLimit) {
    violations.push({
      field: 'limit',
      description: `must be between 0 (default ${options.defaultLimit}) and ${options.maxLimit}`,
    });
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

  const retrieval = request.retrieval ?? options.retrieval;
  // Hybrid without text (a caller's vector alone) runs dense only; lexical alone has nothing to search for.
  if (retrieval === 'lexical' && !query) {
    violations.push({ field: 'query', description: 'is required for lexical retrieval' });
  }
  const rrfK = request.rrfK ?? options.rrfK;
  if (!Number.isInteger(rrfK) || rrfK < 1 || rrfK > RRF_K_MAX) {
    violations.push({ field: 'rrf_k', description: `must be between 0 (server default) and ${RRF_K_MAX}` });
  }

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
