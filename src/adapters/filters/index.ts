/**
 * Metadata filters shared by the vector stores: {@link compileMilvusFilter} for Milvus and
 * {@link compileFilterPredicate} for the embedded store, with the same results (checked
 * against Milvus Lite and the Milvus 2.3 standalone by test/integration/vector-store).
 *
 * Semantics, for a filter on top-level metadata key `field` (the proto's FilterOperator):
 * - A record whose `field` is missing or JSON null holds none of any values: it matches `ne`
 *   and `not_in`, and no other operator.
 * - `eq` / `in`: strings equal strings only, exactly (no case folding or normalisation);
 *   numbers compare by value (1 equals 1.0); booleans count as the numbers 0 and 1, so
 *   `true` equals 1 (do not mix booleans and numbers in one field).
 *   A stored array or object equals nothing. `in` matches when any value is equal.
 * - `ne` / `not_in`: the field equals none of the values; so a string field passes `ne 5`,
 *   and an array or object field passes every `ne`.
 * - `lt` / `lte` / `gt` / `gte`: the value must be a number; only stored numbers (and
 *   booleans, as 0 and 1) can match; strings, arrays and objects never do.
 * - Several filters are combined with AND.
 */
export { compileFilterPredicate, type MetadataPredicate } from './filter-predicate';
export { compileMilvusFilter, milvusLiteral } from './milvus-filter-expression';
export { validateStoreFilters } from './validate-filters';
