#!/usr/bin/env node
// Runs a compiled entry point, building first only when the sources changed since the last
// build: `npm start` on an unchanged tree serves in about as long as `node dist/src/main.js`,
// and a fresh clone's first start transpiles src/ without type checking (scripts/transpile.js,
// about a second) instead of a full `tsc` build (`npm run build` and `npm test` keep that).
//
//   node scripts/run-built.js dist/src/main.js [args...]   build if stale, then run the entry in this process
//   node scripts/run-built.js --stamp                      record the current sources as built (end of `npm run build`)
//
// Staleness is a content hash of what the entries are built from (src/, the tsconfigs, the
// build scripts), kept in dist/.build-stamp, so a checkout that only touches mtimes does not
// force a rebuild. In a production install (`npm ci --omit=dev`) there is no transpiler: a
// stale or missing build is reported, and an existing one is used.
const { createHash } = require('node:crypto');
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const { canTranspile, transpile } = require('./transpile');

const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/copy-assets.js', 'scripts/transpile.js'];

function listFiles(relative) {
  const full = path.join(ROOT, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true }).flatMap((e) => listFiles(path.join(relative, e.name)));
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

/** Builds when the stamp does not match the sources; returns whether it built. */
function ensureBuilt(entry) {
  const hash = sourceHash();
  const stamp = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : '';
  if (stamp === hash && existsSync(entry)) return false;
  if (!canTranspile()) {
    if (!existsSync(entry)) {
      throw new Error(
        `${path.relative(ROOT, entry)} is missing and the dev dependencies are not installed: build with them (npm run build) first`,
      );
    }
    process.stderr.write(
      'recall: the sources differ from the build and the dev dependencies are not installed; using the existing build\n',
    );
    return false;
  }
  const started = Date.now();
  transpile();
  writeStamp(hash);
  process.stderr.write(
    `recall: sources changed since the last build; transpiled src/ in ${Date.now() - started} ms (no type check: npm run typecheck)\n`,
  );
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
