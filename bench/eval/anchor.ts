import { spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../server/recall-process';
import type { Dataset, EvalQuery } from './dataset';
import { documentText } from './dataset';

const SCRIPT = path.join(PROJECT_ROOT, 'scripts', 'eval-anchor.sh');

/** The BM25 anchor's output: a ranking per query, best first, and what it took. */
export interface AnchorRun {
  run: Map<string, string[]>;
  indexMs: number;
  searchMs: number;
  versions: Record<string, string>;
}

function script(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, args, { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(
            new Error(`scripts/eval-anchor.sh ${args.join(' ')} exited with ${code}: ${stderr.trim().slice(-800)}`),
          ),
    );
    child.stdin.end(input ?? '');
  });
}

/**
 * BM25 (bm25s, English stop words, Snowball stemmer) over the same texts recall indexes, top
 * `k` per query, in the venv scripts/eval-anchor.sh installs (on first use).
 */
export async function runAnchor(dataset: Dataset, queries: EvalQuery[], k: number): Promise<AnchorRun> {
  await script(['install']);
  const job = {
    docs: dataset.docs.map((d) => ({ id: d.id, text: documentText(d) })),
    queries: queries.map((q) => ({ id: q.id, text: q.text })),
    k,
  };
  const out = JSON.parse(await script(['run'], JSON.stringify(job))) as {
    run: Record<string, [string, number][]>;
    index_ms: number;
    search_ms: number;
    versions: Record<string, string>;
  };
  return {
    run: new Map(Object.entries(out.run).map(([id, hits]) => [id, hits.map(([doc]) => doc)])),
    indexMs: out.index_ms,
    searchMs: out.search_ms,
    versions: out.versions,
  };
}
