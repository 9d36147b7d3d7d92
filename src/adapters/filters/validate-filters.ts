import { type FieldViolation, InvalidArgumentError } from '../../domain/errors';
import type { FilterOperator, FilterValue, MetadataFilter } from '../../domain/ports';

/** Field names a filter may name: a top-level metadata key, safe to splice into an expression. */
export const FILTER_FIELD_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Most values one IN / NOT_IN filter may carry. */
export const MAX_FILTER_VALUES = 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const OPERATORS: ReadonlySet<string> = new Set<FilterOperator>(['eq', 'ne', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte']);
const SINGLE_VALUE: ReadonlySet<FilterOperator> = new Set<FilterOperator>(['eq', 'ne', 'lt', 'lte', 'gt', 'gte']);
const ORDERING: ReadonlySet<FilterOperator> = new Set<FilterOperator>(['lt', 'lte', 'gt', 'gte']);

/**
 * Checks filters before they reach a store (defence in depth: the gRPC layer validates too).
 * Throws InvalidArgumentError naming `filters[i].field`, `filters[i].operator` or
 * `filters[i].values` for every problem found.
 */
export function assertValidFilters(filters: readonly MetadataFilter[]): void {
  const violations: FieldViolation[] = [];
  filters.forEach((filter, i) => {
    const at = `filters[${i}]`;
    if (typeof filter.field !== 'string' || !FILTER_FIELD_PATTERN.test(filter.field)) {
      violations.push({ field: `${at}.field`, description: `must match ${FILTER_FIELD_PATTERN.source}` });
    }
    if (!OPERATORS.has(filter.operator)) {
      violations.push({ field: `${at}.operator`, description: 'unknown operator' });
      return;
    }
    const values = Array.isArray(filter.values) ? filter.values : [];
    if (SINGLE_VALUE.has(filter.operator) && values.length !== 1) {
      violations.push({ field: `${at}.values`, description: `${filter.operator} takes exactly one value` });
    } else if (!SINGLE_VALUE.has(filter.operator) && (values.length < 1 || values.length > MAX_FILTER_VALUES)) {
      violations.push({
        field: `${at}.values`,
        description: `${filter.operator} takes 1 to ${MAX_FILTER_VALUES} values`,
      });
    }
    values.forEach((value, j) => {
      const problem = valueProblem(value, ORDERING.has(filter.operator));
      if (problem) violations.push({ field: `${at}.values[${j}]`, description: problem });
    });
  });
  if (violations.length > 0) throw new InvalidArgumentError(violations);
}

function valueProblem(value: FilterValue, ordering: boolean): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
  if (ordering) return 'must be a number for lt, lte, gt and gte';
  if (typeof value === 'boolean') return undefined;
  if (typeof value !== 'string') return 'must be a string, a number or a boolean';
  // A lone surrogate cannot be encoded as UTF-8, so it could never equal a stored value.
  return LONE_SURROGATE.test(value) ? 'must be valid Unicode' : undefined;
}
