import { existsSync } from 'node:fs';

/** How to start a worker: a built file, or code bundled from TypeScript sources. */
export type WorkerSource = { kind: 'file'; path: string } | { kind: 'code'; code: string };

const bundles = new Map<string, string>();

/**
 * The worker for `entry` (a path without extension). Built code (dist/) runs `entry.js`.
 * Under a TypeScript runner (ts-jest, tsx) only `entry.ts` exists and a worker thread cannot
 * load it, so it is bundled once per process with esbuild (a dev dependency, present
 * wherever the sources run), its packages left to `require` from the working directory.
 */
export function loadWorkerSource(entry: string, require: NodeJS.Require): WorkerSource {
  if (existsSync(`${entry}.js`)) return { kind: 'file', path: `${entry}.js` };
  let code = bundles.get(entry);
  if (code === undefined) {
    const esbuild = require('esbuild') as typeof import('esbuild');
    const result = esbuild.buildSync({
      entryPoints: [`${entry}.ts`],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    code = result.outputFiles[0]?.text ?? '';
    bundles.set(entry, code);
  }
  return { kind: 'code', code };
}
