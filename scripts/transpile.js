#!/usr/bin/env node
// The start path's build: turns src/ into dist/src/ without type checking, file by file, with
// esbuild (about a second for the whole tree, where `tsc` takes 25-50 s on two busy cores).
// `npm run build` and `npm test` still run the full type check with tsc; this only makes a
// fresh clone's first `npm start` (and `migrate`, `ingest`, `reindex`) quick.
//
//   node scripts/transpile.js      transpile src/ into dist/src/ and copy the assets
//
// Safe because tsconfig.json sets `isolatedModules`: every file compiles on its own, so a
// per-file transpiler emits what tsc would (CommonJS for Node 20, source maps). esbuild is a
// declared dev dependency; a production install (`npm ci --omit=dev`) has none and runs the
// existing build instead (see run-built.js).
const { readdirSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

function typeScriptFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** True when esbuild can be loaded from the project (a dev install). */
function canTranspile() {
  try {
    require.resolve('esbuild', { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
}

/** Transpiles every file under src/ into dist/src/ (no type check), then copies the assets. */
function transpile() {
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: typeScriptFiles(path.join(ROOT, 'src')),
    outbase: ROOT,
    outdir: path.join(ROOT, 'dist'),
    tsconfig: path.join(ROOT, 'tsconfig.build.json'),
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  require('./copy-assets');
}

module.exports = { canTranspile, transpile };

if (require.main === module) transpile();
