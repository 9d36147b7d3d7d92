import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './recall-process';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The benchmark starts recall from its build (`dist/src/main.js`), as production does. Builds
 * it with `npm run build` when it is missing or older than a file under src/; resolves to
 * whether it built.
 */
export function ensureBuild(log: (line: string) => void): boolean {
  const main = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
  let built = 0;
  try {
    built = statSync(main).mtimeMs;
  } catch {
    built = 0;
  }
  if (built >= newestMtime(path.join(PROJECT_ROOT, 'src'))) return false;
  log('building recall (npm run build): the build is missing or older than src/');
  // The build's output goes to stderr: stdout carries the table.
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
  return true;
}
