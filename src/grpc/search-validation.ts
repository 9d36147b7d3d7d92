import type { FilterOperator, FilterValue, MetadataFilter } from '../domain/ports';
import { LIMITS, Violations } from '../domain/validation';
import {
  type MetadataFilter as MetadataFilterPb,
  FilterOperator as OperatorPb,
  RerankMode as RerankModePb,
} from '../gen/recall/v1/search';

/** SearchService shape limits; README documents them. */
export const SEARCH_LIMITS = {
  collectionsPerSearch: 16,
  filtersPerSearch: 16,
  valuesPerFilter: 100,
  documentsPerCall: 1000,
  documentIdMaxLength: 256,
  documentTextMaxBytes: 65_535,
  goldenQuestionMaxLength: 4096,
  goldenAnswerMaxLength: 65_535,
  goldenSourcesMax: 100,
} as const;

const COLLECTION = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

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

/** Checks a collection name (letters, digits, underscores; starts with a letter; ≤ 64). */
export function checkCollectionName(v: Violations, field: string, name: string): void {
  if (!COLLECTION.test(name)) {
    v.add(field, 'must be 1-64 letters, digits or underscores, starting with a letter');
  }
}

/** Converts and checks the request's filters; violations name `filters[i].…`. */
export function toDomainFilters(v: Violations, filters: MetadataFilterPb[]): MetadataFilter[] {
  if (filters.length > SEARCH_LIMITS.filtersPerSearch) {
    v.add('filters', `must have at most ${SEARCH_LIMITS.filtersPerSearch} items`);
  }
  return filters.map((f, i) => {
    const at = `filters[${i}]`;
    if (!FIELD.test(f.field))
      v.add(`${at}.field`, 'must be 1-64 letters, digits or underscores, not starting with a digit');
    const operator = OPERATORS[f.operator];
    if (!operator) v.add(`${at}.operator`, 'must be one of the FILTER_OPERATOR_* values');
    const multi = operator === 'in' || operator === 'not_in';
    const ordering = operator === 'lt' || operator === 'lte' || operator === 'gt' || operator === 'gte';
    if (multi && (f.values.length < 1 || f.values.length > SEARCH_LIMITS.valuesPerFilter)) {
      v.add(`${at}.values`, `must have 1-${SEARCH_LIMITS.valuesPerFilter} values`);
    } else if (!multi && f.values.length !== 1) {
      v.add(`${at}.values`, 'must have exactly one value');
    }
    const values: FilterValue[] = [];
    f.values.forEach((value: unknown, j) => {
      const ok =
        typeof value === 'string' ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value));
      if (!ok) v.add(`${at}.values[${j}]`, 'must be a string, a finite number or a boolean');
      else if (ordering && typeof value !== 'number') v.add(`${at}.values[${j}]`, 'must be a number for this operator');
      else values.push(value);
    });
    return { field: f.field, operator: operator ?? 'eq', values };
  });
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

/** Checks the shape of a vector: finite numbers only. */
export function checkVector(v: Violations, field: string, vector: number[]): void {
  if (vector.some((x) => !Number.isFinite(x))) v.add(field, 'must contain finite numbers only');
}

/** Shape checks of a search: query length, collections, user id. */
export function checkSearchShape(
  v: Violations,
  request: { query: string; collections: string[]; userId: string; vector: number[] },
): void {
  if (request.query.length > LIMITS.queryMaxLength)
    v.add('query', `must be at most ${LIMITS.queryMaxLength} characters`);
  if (request.collections.length > SEARCH_LIMITS.collectionsPerSearch) {
    v.add('collections', `must have at most ${SEARCH_LIMITS.collectionsPerSearch} items`);
  }
  request.collections.forEach((name, i) => {
    if (!name.startsWith('_')) checkCollectionName(v, `collections[${i}]`, name);
  });
  if (request.userId) v.userId('user_id', request.userId);
  checkVector(v, 'vector', request.vector);
}

export { Violations };
