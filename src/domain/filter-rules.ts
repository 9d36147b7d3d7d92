import type { FieldViolation } from './errors';
import type { FilterOperator } from './ports';
import { FILTER_FIELD_PATTERN, VECTOR_LIMITS } from './vector-rules';

/** Every filter operator, in the order docs/search.md lists them. */
export const FILTER_OPERATORS: readonly FilterOperator[] = Object.freeze([
  'eq',
  'ne',
  'in',
  'not_in',
  'lt',
  'lte',
  'gt',
  'gte',
]);

const MULTI_VALUE: ReadonlySet<string> = new Set<FilterOperator>(['in', 'not_in']);
const ORDERING: ReadonlySet<string> = new Set<FilterOperator>(['lt', 'lte', 'gt', 'gte']);
const KNOWN: ReadonlySet<string> = new Set<string>(FILTER_OPERATORS);
/**
 * A filter as it arrives, before it is known to be valid: the gRPC layer passes an operator
 * it could not map by its proto name, and values of any JSON type. A MetadataFilter is one.
 */
export interface FilterInput {
  field: unknown;
  operator: string;
  values: readonly unknown[];
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `field` cannot be filtered on, or undefined. */
export function filterFieldProblem(field: unknown): string | undefined {
  return typeof field === 'string' && FILTER_FIELD_PATTERN.test(field)
    ? undefined
    : `must be 1-${VECTOR_LIMITS.filterFieldMaxLength} letters, digits or underscores, not starting with a digit`;
}

/**
 * The violations of one filter, named `${at}.field`, `${at}.operator`, `${at}.values` and
 * `${at}.values[j]`. `maxValues` bounds IN / NOT_IN: a search's caller gets fewer
 * than recall's own writers.
 */
export function filterViolations(at: string, filter: FilterInput, maxValues: number): FieldViolation[] {
  const out: FieldViolation[] = [];
  const fieldProblem = filterFieldProblem(filter.field);
  if (fieldProblem) out.push({ field: `${at}.field`, description: fieldProblem });
  if (!KNOWN.has(filter.operator)) {
    out.push({ field: `${at}.operator`, description: `must be one of ${FILTER_OPERATORS.join(', ')}` });
    return out;
  }
  const values: readonly unknown[] = Array.isArray(filter.values) ? filter.values : [];
  if (MULTI_VALUE.has(filter.operator)) {
    if (values.length < 1 || values.length > maxValues) {
      out.push({ field: `${at}.values`, description: `must have 1-${maxValues} values` });
    }
  } else if (values.length !== 1) {
    out.push({ field: `${at}.values`, description: 'must have exactly one value' });
  }
  const ordering = ORDERING.has(filter.operator);
  values.forEach((value, j) => {
    const problem = filterValueProblem(value, ordering);
    if (problem) out.push({ field: `${at}.values[${j}]`, description: problem });
  });
  return out;
}

/** Why `value` cannot be a filter value, or undefined; ordering operators take numbers only. */
export function filterValueProblem(value: unknown, ordering: boolean): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
  if (ordering) return 'must be a number for lt, lte, gt and gte';
  if (typeof value === 'boolean') return undefined;
  if (typeof value !== 'string') return 'must be a string, a finite number or a boolean';
  // A lone surrogate cannot be encoded as UTF-8, so it could never equal a stored value.
  return LONE_SURROGATE.test(value) ? 'must be valid Unicode' : undefined;
}
