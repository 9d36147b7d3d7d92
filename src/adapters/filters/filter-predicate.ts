import type { FilterValue, Metadata, MetadataFilter } from '../../domain/ports';
import { validateStoreFilters } from './validate-filters';

/** Whether one record's metadata passes every filter. */
export type MetadataPredicate = (metadata: Metadata) => boolean;

/**
 * Compiles validated filters into an in-memory predicate with exactly the results Milvus
 * gives for {@link compileMilvusFilter}'s expression (semantics in ./index.ts).
 */
export function compileFilterPredicate(filters: readonly MetadataFilter[]): MetadataPredicate {
  validateStoreFilters(filters);
  const tests = filters.map(fieldTest);
  return (metadata) => tests.every((test) => test(metadata));
}

function fieldTest(filter: MetadataFilter): MetadataPredicate {
  const { field, values } = filter;
  const matches = valueTest(filter.operator, values);
  // "Field is none of values" holds for a record without the field; every other test needs it.
  const whenAbsent = filter.operator === 'ne' || filter.operator === 'not_in';
  return (metadata) => {
    // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
    if (metadata === null || typeof metadata !== 'object' || !Object.hasOwn(metadata, field)) return whenAbsent;
    const stored = metadata[field];
    return stored === null || stored === undefined ? whenAbsent : matches(stored);
  };
}

function valueTest(operator: MetadataFilter['operator'], values: FilterValue[]): (stored: unknown) => boolean {
  const [first] = values;
  switch (operator) {
    case 'eq':
      return (stored) => equals(stored, first);
    case 'ne':
      return (stored) => !equals(stored, first);
    case 'in':
      return (stored) => values.some((v) => equals(stored, v));
    case 'not_in':
      return (stored) => !values.some((v) => equals(stored, v));
    case 'lt':
      return (stored) => isNumeric(stored) && Number(stored) < Number(first);
    case 'lte':
      return (stored) => isNumeric(stored) && Number(stored) <= Number(first);
    case 'gt':
      return (stored) => isNumeric(stored) && Number(stored) > Number(first);
    case 'gte':
      return (stored) => isNumeric(stored) && Number(stored) >= Number(first);
  }
}

/** Booleans count as the numbers 0 and 1, as they do in Milvus Lite. */
function isNumeric(value: unknown): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

function equals(stored: unknown, value: FilterValue | undefined): boolean {
  if (typeof stored === 'string') return stored === value;
  if (isNumeric(stored) && isNumeric(value)) return Number(stored) === Number(value);
  return false;
}
