import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { READ_ONLY } from '../../../src/adapters/pglite/pglite-client';

const SRC = path.join(__dirname, '..', '..', '..', 'src');

/** Every string and template literal of the source files under `dir`. */
function literals(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...literals(file));
    else if (entry.name.endsWith('.ts')) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/`([^`]*)`|'([^'\n]*)'|"([^"\n]*)"/g))
        found.push(match[1] ?? match[2] ?? match[3] ?? '');
    }
  }
  return found;
}

/**
 * The PGlite client counts a statement as one that may write unless it is a SELECT
 * (SqlClient.changes), and RecallFacts' snapshots trust that count: so no SQL of this project
 * may write from a statement that starts with SELECT.
 */
test('no statement that starts with SELECT writes', () => {
  const statements = literals(SRC).filter((text) => READ_ONLY.test(text));
  expect(statements.length).toBeGreaterThan(20);
  const writing = statements.filter((text) => /\b(INSERT INTO|DELETE FROM|UPDATE\s+\w+\s+SET|TRUNCATE)\b/i.test(text));
  expect(writing).toEqual([]);
  expect(READ_ONLY.test('WITH d AS (DELETE FROM t RETURNING 1) SELECT 1')).toBe(false);
  expect(READ_ONLY.test('  select id FROM t')).toBe(true);
});
