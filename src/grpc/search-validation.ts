import type { FilterOperator, MetadataFilter } from '../domain/ports';
import type { FilterInput, FusionMethod, RetrievalMode } from '../domain/search';
import type { Violations } from '../domain/validation';
import {
  FusionMethod as FusionMethodPb,
  type MetadataFilter as MetadataFilterPb,
  FilterOperator as OperatorPb,
  RerankMode as RerankModePb,
  RetrievalMode as RetrievalModePb,
  filterOperatorToJSON,
} from '../gen/recall/v1/search';

/**
 * Proto-to-domain translation of SearchService requests. The rules themselves (limits,
 * patterns, messages) live in domain/search/search-rules.ts and its siblings.
 */

const OPERATORS: Partial<Record<OperatorPb, FilterOperator>> = {
  [OperatorPb.FILTER_OPERATOR_EQ]: 'eq',
  [OperatorPb.FILTER_OPERATOR_NE]: 'ne',
  [OperatorPb.FILTER_OPERATOR_IN]: 'in',
  [OperatorPb.FILTER_OPERATOR_NOT_IN]: 'not_in',
  [OperatorPb.FILTER_OPERATOR_LT]: 'lt',
  [OperatorPb.FILTER_OPERATOR_LTE]: 'lte',
  [OperatorPb.FILTER_OPERATOR_GT]: 'gt',
  [OperatorPb.FILTER_OPERATOR_GTE]: 'gte',
};

/**
 * The request's filters in domain form, still unchecked: an operator the proto enum does not
 * map keeps its proto name, so the domain's check names it `filters[i].operator`.
 */
export function toFilterInputs(filters: readonly MetadataFilterPb[]): FilterInput[] {
  return filters.map((f) => ({
    field: f.field,
    operator: OPERATORS[f.operator] ?? filterOperatorToJSON(f.operator),
    values: f.values,
  }));
}

/** Filters that passed the domain's check, typed as the domain takes them. */
export function asMetadataFilters(filters: readonly FilterInput[]): MetadataFilter[] {
  return filters as MetadataFilter[];
}

/** Converts the rerank enum; unknown numbers are a violation. */
export function toRerankMode(v: Violations, mode: RerankModePb): 'auto' | 'always' | 'never' {
  switch (mode) {
    case RerankModePb.RERANK_MODE_UNSPECIFIED:
    case RerankModePb.RERANK_MODE_AUTO:
      return 'auto';
    case RerankModePb.RERANK_MODE_ALWAYS:
      return 'always';
    case RerankModePb.RERANK_MODE_NEVER:
      return 'never';
    default:
      v.add('rerank', 'must be one of the RERANK_MODE_* values');
      return 'auto';
  }
}

/** Converts the retrieval enum; UNSPECIFIED is undefined (the server's default), unknown numbers a violation. */
export function toRetrievalMode(v: Violations, mode: RetrievalModePb): RetrievalMode | undefined {
  switch (mode) {
    case RetrievalModePb.RETRIEVAL_MODE_UNSPECIFIED:
      return undefined;
    case RetrievalModePb.RETRIEVAL_MODE_HYBRID:
      return 'hybrid';
    case RetrievalModePb.RETRIEVAL_MODE_DENSE:
      return 'dense';
    case RetrievalModePb.RETRIEVAL_MODE_LEXICAL:
      return 'lexical';
    default:
      v.add('retrieval', 'must be one of the RETRIEVAL_MODE_* values');
      return undefined;
  }
}

/** Converts the fusion enum; UNSPECIFIED is undefined (the server's default), unknown numbers a violation. */
export function toFusionMethod(v: Violations, method: FusionMethodPb): FusionMethod | undefined {
  switch (method) {
    case FusionMethodPb.FUSION_METHOD_UNSPECIFIED:
      return undefined;
    case FusionMethodPb.FUSION_METHOD_RRF:
      return 'rrf';
    case FusionMethodPb.FUSION_METHOD_WEIGHTED:
      return 'weighted';
    default:
      v.add('fusion', 'must be one of the FUSION_METHOD_* values');
      return undefined;
  }
}
