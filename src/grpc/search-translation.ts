import type { FilterOperator } from '../domain/ports';
import type { FilterInput, FusionMethod, RerankMode, RetrievalMode, Unrecognized } from '../domain/search';
import {
  FusionMethod as FusionMethodPb,
  type MetadataFilter as MetadataFilterPb,
  FilterOperator as OperatorPb,
  RerankMode as RerankModePb,
  RetrievalMode as RetrievalModePb,
  filterOperatorToJSON,
} from '../gen/recall/v1/search';

/**
 * Proto-to-domain translation of SearchService requests, and nothing more: the search module
 * validates what arrives (domain/search/search-validation.ts). A value the proto enums do not
 * map is passed on by name, so that validation names its field along with every other.
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

/** A wire enum number this build does not map, passed on for validation to name (see Unrecognized). */
function unrecognized(value: number): Unrecognized {
  return `unrecognized:${value}`;
}

/** Converts the rerank enum; UNSPECIFIED is AUTO. */
export function toRerankMode(mode: RerankModePb): RerankMode | Unrecognized {
  switch (mode) {
    case RerankModePb.RERANK_MODE_UNSPECIFIED:
    case RerankModePb.RERANK_MODE_AUTO:
      return 'auto';
    case RerankModePb.RERANK_MODE_ALWAYS:
      return 'always';
    case RerankModePb.RERANK_MODE_NEVER:
      return 'never';
    default:
      return unrecognized(mode);
  }
}

/** Converts the retrieval enum; UNSPECIFIED is undefined (the server's default). */
export function toRetrievalMode(mode: RetrievalModePb): RetrievalMode | Unrecognized | undefined {
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
      return unrecognized(mode);
  }
}

/** Converts the fusion enum; UNSPECIFIED is undefined (the server's default). */
export function toFusionMethod(method: FusionMethodPb): FusionMethod | Unrecognized | undefined {
  switch (method) {
    case FusionMethodPb.FUSION_METHOD_UNSPECIFIED:
      return undefined;
    case FusionMethodPb.FUSION_METHOD_RRF:
      return 'rrf';
    case FusionMethodPb.FUSION_METHOD_WEIGHTED:
      return 'weighted';
    default:
      return unrecognized(method);
  }
}
