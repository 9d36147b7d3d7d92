#!/usr/bin/env node
// Runs a compiled entry point, building first only when the sources changed since the last
// build: `npm start` on an unchanged tree serves in about as long as `node dist/src/main.js`.
//
//   node scripts/run-built.js dist/src/main.js [args...]   build if stale, then run the entry in this process
//   node scripts/run-built.js --stamp                      record the current sources as built (end of `npm run build`)
//
// Staleness is a content hash of what the build reads (src/, bench/, the tsconfigs), kept in
// dist/.build-stamp, so a checkout that only touches mtimes does not force a rebuild. In a
// production install (`npm ci --omit=dev`) there is no compiler: a stale or missing build is
// reported, and an existing one is used.
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const INPUTS = ['src', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'scripts/copy-assets.js'];

function listFiles(relative) {
  const full = path.join(ROOT, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true })
    .filter((e) => !(relative === 'bench' && e.name === 'results'))
    .flatMap((e) => listFiles(path.join(relative, e.name)));
}

/** A hash of every build input's path and content. */
function sourceHash() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(listFiles).sort()) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(ROOT, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

function writeStamp(hash) {
  mkdirSync(path.dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, `${hash}\n`);
}

function hasCompiler() {
  try {
    require.resolve('typescript', { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/** Builds when the stamp does not match the sources; returns whether it built. */
function ensureBuilt(entry) {
  const hash = sourceHash();
  const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (stamp === hash && existsSync(entry)) return false;
  if (!hasCompiler()) {
    if (!existsSync(entry)) {
      throw new Error(
        `${path.relative(ROOT, entry)} is missing and TypeScript is not installed: build with dev dependencies (npm run build) first`,
      );
    }
    process.stderr.write(
      'recall: the sources differ from the build and TypeScript is not installed; using the existing build\n',
    );
    return false;
  }
  process.stderr.write('recall: sources changed since the last build; building (npm run build)\n');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status})`);
  writeStamp(hash);
  return true;
}

function main(argv) {
  if (argv[0] === '--stamp') return writeStamp(sourceHash());
  if (!argv[0]) throw new Error('usage: run-built.js ENTRY.js [args...] | --stamp');
  const entry = path.resolve(ROOT, argv[0]);
  ensureBuilt(entry);
  // The entry sees the same argv as `node ENTRY.js args...`.
  process.argv.splice(1, 2, entry);
  require(entry);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`recall: ${error.message}\n`);
  process.exitCode = 1;
}
