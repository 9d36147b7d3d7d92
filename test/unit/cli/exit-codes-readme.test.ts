import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, EXIT_MEANINGS, exitCodeFor } from '../../../src/cli/exit-codes';
import { UsageError } from '../../../src/cli/usage-error';
import { ConfigError } from '../../../src/config';

/**
 * The "Exit codes" table of docs/operations.md (README links it) is the code's table (issue 16:
 * a bad configuration variable exited 2 while README said a refused start exits 1 and listed
 * no other code for the server).
 */
function readmeTable(): Array<[number, string]> {
  const page = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'operations.md'), 'utf8');
  const section = page.split('\n## Exit codes\n')[1]?.split(/\n#{1,3} /)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) => {
      const [, code, meaning] = line.split(/\s*\|\s*/);
      return [Number(code), meaning!];
    });
}

describe('exit codes', () => {
  it("the Operations page's table lists exactly the code's codes, with the same meanings", () => {
    const expected = Object.values(EXIT).map((code): [number, string] => [code, EXIT_MEANINGS[code]]);
    expect(readmeTable()).toEqual(expected);
  });

  it('a bad variable or argument is a usage error (2); anything else a failure (1)', () => {
    expect(exitCodeFor(new ConfigError('PG_POOL_MAX', 'must be an integer'))).toBe(EXIT.usage);
    expect(exitCodeFor(new UsageError('--collection is required'))).toBe(EXIT.usage);
    expect(exitCodeFor(Object.assign(new TypeError('Unknown option'), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }))).toBe(
      EXIT.usage,
    );
    expect(exitCodeFor(new Error('connection refused'))).toBe(EXIT.failed);
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, startRefused: 3, interrupted: 130 });
  });
});
