import { InvalidArgumentError } from '../../domain/errors';
import { filterViolations } from '../../domain/filter-rules';
import type { MetadataFilter } from '../../domain/ports';
import { VECTOR_LIMITS } from '../../domain/vector-rules';

/**
 * Checks filters before they reach a store (defence in depth: the gRPC layer checks a caller's
 * filters by the same rules). Stores accept VECTOR_LIMITS.storeValuesPerFilter values per
 * IN / NOT_IN, more than a caller may send, because recall's fact index sends that many.
 * Throws InvalidArgumentError naming `filters[i].field`, `filters[i].operator` or
 * `filters[i].values` for every problem found.
 */
export function validateStoreFilters(filters: readonly MetadataFilter[]): void {
  const violations = filters.flatMap((filter, i) =>
    filterViolations(`filters[${i}]`, filter, VECTOR_LIMITS.storeValuesPerFilter),
  );
  if (violations.length > 0) throw new InvalidArgumentError(violations);
}
