import type { FilterValue, MetadataFilter } from '../../domain/ports';
import { assertValidFilters } from './validate-filters';

/**
 * Compiles validated filters into a Milvus boolean expression over the JSON field `jsonField`
 * (semantics in ./index.ts). Returns '' when there are no filters. Clauses are parenthesised
 * and joined with ` and `. IN / NOT_IN are spelled as chains of `==` / `!=` because Milvus Lite
 * rejects `json["k"] in [...]`; NE / NOT_IN carry an `exists` guard so a record without the
 * field never matches, whatever the server's null handling; the guard is parenthesised because
 * Milvus 2.3 reads `exists a and b` as `exists (a and b)`.
 */
export function compileMilvusFilter(filters: readonly MetadataFilter[], jsonField = 'metadata'): string {
  assertValidFilters(filters);
  return filters.map((filter) => `(${clause(filter, `${jsonField}["${filter.field}"]`)})`).join(' and ');
}

function clause(filter: MetadataFilter, path: string): string {
  const values = filter.values.map(milvusLiteral);
  switch (filter.operator) {
    case 'eq':
      return `${path} == ${values[0]}`;
    case 'ne':
      return `(exists ${path}) and ${path} != ${values[0]}`;
    case 'in':
      return values.map((v) => `${path} == ${v}`).join(' or ');
    case 'not_in':
      return [`(exists ${path})`, ...values.map((v) => `${path} != ${v}`)].join(' and ');
    case 'lt':
      return `${path} < ${values[0]}`;
    case 'lte':
      return `${path} <= ${values[0]}`;
    case 'gt':
      return `${path} > ${values[0]}`;
    case 'gte':
      return `${path} >= ${values[0]}`;
  }
}

/** A filter value (or a primary key) as a Milvus expression literal. */
export function milvusLiteral(value: FilterValue): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // String(-0) is '0'; exponent forms such as 1e+21 and 5e-324 parse as numbers.
  return String(value);
}

/**
 * A double-quoted string literal whose content can only ever be data: backslash and quote are
 * escaped, and so are the line breaks and tab that the grammar does not allow raw. Other
 * characters, control and non-ASCII included, are legal inside a literal as they are
 * (Milvus Lite has no `\u` escape, so escaping them would break the match).
 */
function quote(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (c) => ESCAPES[c] ?? c)}"`;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
