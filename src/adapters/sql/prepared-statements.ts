/**
 * Names for the repositories' fixed SQL, so that the PostgreSQL adapter can run them as named
 * prepared statements: each connection parses a statement once, and after a few executions
 * PostgreSQL may keep a generic plan instead of planning every call. For the memory reads,
 * planning took as long as executing (EXPLAIN ANALYZE: 0.1–0.8 ms planning against
 * 0.03–0.15 ms execution; see docs/benchmark.md).
 *
 * The names are derived from the text, so one text always has one name and two texts never
 * share one (node-postgres refuses a name reused for another text on the same connection).
 * PGlite runs them named too (pglite-prepared.ts): its WASM PostgreSQL plans slowly, and the
 * lexical fact statement went from 1.19 to 0.79 ms p50 when parsed and planned only once.
 */
import { createHash } from 'node:crypto';
import * as factTermsSql from './fact-terms-sql';
import * as memorySql from './memory-sql';

function nameOf(text: string): string {
  return `recall_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
}

/**
 * Every statement of the memory repository and of the lexical fact index (memory-sql.ts and
 * fact-terms-sql.ts export only SQL texts).
 */
const NAMES: ReadonlyMap<string, string> = new Map(
  ([...Object.values(memorySql), ...Object.values(factTermsSql)] as unknown[])
    .filter((value): value is string => typeof value === 'string')
    .map((text) => [text, nameOf(text)]),
);

/** The prepared-statement name for a known statement text, or undefined to run it unnamed. */
export function preparedStatementName(text: string): string | undefined {
  return NAMES.get(text);
}
