import { defined } from '../../domain/errors';
import type { FilterValue, MetadataFilter } from '../../domain/ports';
import { assertValidFilters } from './validate-filters';

/**
 * Compiles validated filters into a Milvus boolean expression over the JSON field `jsonField`
 * (semantics in ./index.ts). Returns '' when there are no filters. Clauses are parenthesised
 * and joined with ` and `. Spelled to mean the same on Milvus Lite and the 2.3 standalone:
 * - IN / NOT_IN are chains of `==` / `!=`: Milvus Lite rejects `json["k"] in [...]`.
 * - NE / NOT_IN match a record without the field (or with JSON null) through `not (exists …)`,
 *   and compare only where the field holds a value (`json["k"] != null` is false for a
 *   stored null on 2.3, which counts a null as present).
 * - A boolean value is also compared as its number and 0 / 1 as their booleans: Milvus Lite
 *   equates them, 2.3 does not. Ordering operators add `== true` / `== false` where 1 / 0
 *   satisfies the comparison, for the same reason.
 * Every sub-expression is parenthesised: Milvus 2.3 reads `exists a and b` as `exists (a and b)`.
 */
export function compileMilvusFilter(filters: readonly MetadataFilter[], jsonField = 'metadata'): string {
  assertValidFilters(filters);
  return filters.map((filter) => `(${clause(filter, `${jsonField}["${filter.field}"]`)})`).join(' and ');
}

const ORDERING = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function clause(filter: MetadataFilter, path: string): string {
  const { operator, values } = filter;
  // A validated filter has at least one value.
  const first = defined(values[0], 'a filter value');
  switch (operator) {
    case 'eq':
      return anyEqual(path, [first]);
    case 'in':
      return anyEqual(path, values);
    case 'ne':
      return noneEqual(path, [first]);
    case 'not_in':
      return noneEqual(path, values);
    default: {
      const symbol = ORDERING[operator];
      const booleans = [false, true].filter((b) => compare(Number(b), operator, Number(first)));
      return [`(${path} ${symbol} ${milvusLiteral(first)})`, ...booleans.map((b) => `(${path} == ${b})`)].join(' or ');
    }
  }
}

function anyEqual(path: string, values: readonly FilterValue[]): string {
  return spellings(values)
    .map((v) => `(${path} == ${v})`)
    .join(' or ');
}

function noneEqual(path: string, values: readonly FilterValue[]): string {
  const differs = spellings(values).map((v) => `(${path} != ${v})`);
  return `(not (exists ${path})) or ((exists ${path}) and ${differs.join(' and ')})`;
}

/** Each value as a literal, plus its boolean / number twin (see compileMilvusFilter). */
function spellings(values: readonly FilterValue[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    out.add(milvusLiteral(value));
    if (typeof value === 'boolean') out.add(value ? '1' : '0');
    else if (value === 1 || value === 0) out.add(value === 1 ? 'true' : 'false');
  }
  return [...out];
}

function compare(a: number, operator: keyof typeof ORDERING, b: number): boolean {
  switch (operator) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
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
