/**
 * `npx tsx bench/eval/sweep.ts RESULTS.json…`: the rerank depth and early-exit sweeps, from
 * eval results that ran `hybrid` and `hybrid + cross-encoder` (the latter at the deepest
 * depth to compare). Both come from the server's own fused ranking, so a shallower depth d is
 * exactly what the server would return: its first d fused hits ordered by the same
 * cross-encoder scores (ties keep the fused order), then the rest in fused order. AUTO at a
 * threshold takes, per query, the fused ranking when the signal skips the rerank and the
 * reranked one otherwise. Prints Markdown tables; the chosen defaults are then checked
 * through Search by `npm run eval`.
 */
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../server/recall-process';
import { loadDataset } from './dataset';
import { ndcgAt } from './metrics';
import type { QueryResult } from './mode-run';
import { type Cell, type SweepInput, depthTable, earlyExitTable } from './sweep-tables';

const DEPTHS = [5, 10, 15, 20, 30, 40, 50];
const THRESHOLDS: Record<string, number[]> = {
  'agreement@1': [1],
  'agreement@3': [0.33, 0.66, 1],
  'agreement@5': [0.2, 0.4, 0.6, 0.8, 1],
  'agreement@10': [0.3, 0.4, 0.5, 0.6, 0.7],
  margin: [0.1, 0.2, 0.3, 0.4, 0.5],
  score: [0.5, 0.6, 0.7, 0.8, 0.9],
};

interface ResultFile {
  dataset: { name: string };
  systems: { system: string; modes: { mode: string; perQuery?: QueryResult[] }[] }[];
}

/** The reranked ranking at depth d, from the fused ranking and the reranker's scores. */
export function rerankedAt(
  fused: readonly string[],
  scores: Readonly<Record<string, number>>,
  depth: number,
): string[] {
  const head = fused.slice(0, depth).map((id, i) => ({ id, i, s: scores[id] ?? Number.NEGATIVE_INFINITY }));
  head.sort((a, b) => b.s - a.s || a.i - b.i);
  return [...head.map((h) => h.id), ...fused.slice(depth)];
}

function main(files: string[]): void {
  const inputs: SweepInput[] = [];
  for (const file of files) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as ResultFile;
    const qrels = loadDataset(json.dataset.name, PROJECT_ROOT).qrels;
    for (const system of json.systems) {
      const hybrid = system.modes.find((m) => m.mode === 'hybrid')?.perQuery;
      const reranked = system.modes.find((m) => m.mode === 'hybrid + cross-encoder')?.perQuery;
      if (!hybrid || !reranked) continue;
      const byId = new Map(reranked.map((q) => [q.id, q]));
      const cells: Cell[] = hybrid.map((q) => {
        const judged = qrels.get(q.id) ?? new Map<string, number>();
        const scores = byId.get(q.id)?.rerankScores ?? {};
        const fused = q.ranking ?? [];
        return {
          signals: q.signals ?? {},
          fusedNdcg: ndcgAt(fused, judged, 10),
          rerankedNdcg: (depth: number) => ndcgAt(rerankedAt(fused, scores, depth), judged, 10),
        };
      });
      const depth = Math.max(...reranked.map((q) => Object.keys(q.rerankScores ?? {}).length));
      inputs.push({ dataset: json.dataset.name, system: system.system, cells, depth });
    }
  }
  if (inputs.length === 0)
    throw new Error('no result has both hybrid and hybrid + cross-encoder with per-query rankings');
  // Deeper than a run reranked cannot be simulated from it.
  const deepest = Math.min(...inputs.map((i) => i.depth));
  const depths = DEPTHS.filter((d) => d <= deepest);
  process.stdout.write(`### Rerank depth (nDCG@10 of hybrid + cross-encoder)\n\n${depthTable(inputs, depths)}\n\n`);
  // The early exit is judged at the runs' own depth unless asked: a deeper one, simulated from
  // scores that stop at the run's depth, is the same ranking under a wrong label.
  const depth = Number(process.env.SWEEP_DEPTH ?? Math.min(20, deepest));
  process.stdout.write(
    `### Early exit at depth ${depth}: share of reranks skipped / nDCG@10 AUTO ÷ always\n\n${earlyExitTable(inputs, THRESHOLDS, depth)}\n`,
  );
}

if (require.main === module) main(process.argv.slice(2));
