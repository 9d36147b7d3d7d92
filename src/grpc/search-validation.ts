import type { FilterOperator, MetadataFilter } from '../domain/ports';
import type { FilterInput } from '../domain/search';
import type { Violations } from '../domain/validation';
import {
  type MetadataFilter as MetadataFilterPb,
  FilterOperator as OperatorPb,
  RerankMode as RerankModePb,
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
