import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The house's size rules, checked on every unit run: no hand-written file in src/ over 300
 * lines, and no function over 80 lines unless it is one flow that reads better whole — those
 * few are named below with the reason. Generated code (src/gen) is exempt.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const SRC = path.join(ROOT, 'src');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/** Functions allowed past the limit: `file#function` (file relative to src/) → why it stays whole. */
const LONG_FUNCTIONS_ALLOWED: ReadonlyMap<string, string> = new Map<string, string>([]);

/** Hand-written TypeScript files under src/, relative to src/. */
function sourceFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(SRC, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory() && rel !== 'gen') walk(rel);
      else if (entry.isFile() && entry.name.endsWith('.ts')) found.push(rel);
    }
  };
  walk('');
  return found.sort();
}

/** A function's name as a reader finds it: its own, its variable's, its property's or its class member's. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name !== undefined && !ts.isComputedPropertyName(node.name)) {
    const own = node.name.getText();
    const owner = node.parent;
    return ts.isClassLike(owner) && owner.name !== undefined ? `${owner.name.text}.${own}` : own;
  }
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    !ts.isComputedPropertyName(parent.name)
  ) {
    return parent.name.getText();
  }
  return '(anonymous)';
}

interface LongFunction {
  readonly key: string;
  readonly lines: number;
}

/** Every function in a file longer than the limit, counted from its first line to its last. */
function longFunctions(file: string): LongFunction[] {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const fn = node as ts.FunctionLikeDeclaration;
      const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push({ key: `${file.split(path.sep).join('/')}#${nameOf(fn)}`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('code size', () => {
  const files = sourceFiles();

  it(`keeps every hand-written file in src/ within ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file, lines: readFileSync(path.join(SRC, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it(`keeps every function within ${MAX_FUNCTION_LINES} lines, save the ones allowed with a reason`, () => {
    const long = files.flatMap(longFunctions);
    const unexplained = long
      .filter(({ key }) => !LONG_FUNCTIONS_ALLOWED.has(key))
      .map(({ key, lines }) => `${key}: ${lines} lines`);
    expect(unexplained).toEqual([]);
  });

  it('allows only functions that exist and are still long, each with a reason', () => {
    const long = new Set(files.flatMap(longFunctions).map(({ key }) => key));
    for (const [key, reason] of LONG_FUNCTIONS_ALLOWED) {
      expect({ key, stillLong: long.has(key) }).toEqual({ key, stillLong: true });
      expect(reason.length).toBeGreaterThan(20);
    }
  });
});
