/**
 * `npx tsx bench/eval/fusion-sweep.ts RESULTS.json…`: the fusion sweep, from eval results
 * that ran `dense` and `lexical` (which record each query's ranking with its scores). Each
 * query's two lists go through the server's own `fuseLists` under every setting below, so a
 * row is what hybrid search would return with that `SEARCH_FUSION` / `SEARCH_FUSION_RRF_K` /
 * `SEARCH_FUSION_WEIGHT` (the lists stop at the run's limit, 100, as the server's fusion depth
 * does by default). Prints, per setting, hybrid's nDCG@10 over the better of its two retrievers
 * for every (dataset, system) and the smallest of them: a default must hold on every
 * collection and embedder, not on average. The chosen default is then checked through Search
 * by `npm run eval`.
 */
import { readFileSync } from 'node:fs';
import { type FusionSettings, type RankedList, fuseLists } from '../../src/domain/fusion';
import { PROJECT_ROOT } from '../server/recall-process';
import { loadDataset } from './dataset';
import { type Judgments, ndcgAt } from './metrics';
import type { QueryResult } from './mode-run';

const SETTINGS: FusionSettings[] = [
  ...[10, 20, 60, 100].map((rrfK) => ({ method: 'rrf' as const, rrfK, denseWeight: 0.5 })),
  ...[0.01, 0.02, 0.03, 0.04, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((denseWeight) => ({
    method: 'weighted' as const,
    rrfK: 60,
    denseWeight,
  })),
];

interface ResultFile {
  dataset: { name: string };
  systems: { system: string; modes: { mode: string; perQuery?: QueryResult[] }[] }[];
}

/** One (dataset, system): per query its judgments and its dense and lexical lists. */
export interface FusionRun {
  label: string;
  queries: { judged: Judgments; dense: RankedList; lexical: RankedList }[];
}

export function toList(retriever: 'dense' | 'lexical', q: QueryResult | undefined): RankedList {
  const ids = q?.ranking ?? [];
  const scores = q?.scores ?? [];
  if (ids.length !== scores.length) throw new Error(`query ${q?.id}: ${retriever} ranking without its scores`);
  return {
    collection: 'eval',
    retriever,
    hits: ids.map((id, i) => ({ id, text: '', metadata: {}, score: scores[i] as number })),
  };
}

function loadRuns(files: string[]): FusionRun[] {
  const runs: FusionRun[] = [];
  for (const file of files) {
    const json = JSON.parse(readFileSync(file, 'utf8')) as ResultFile;
    const qrels = loadDataset(json.dataset.name, PROJECT_ROOT).qrels;
    for (const system of json.systems) {
      const perQuery = (mode: string) => system.modes.find((m) => m.mode === mode)?.perQuery;
      const dense = perQuery('dense');
      const lexical = new Map((perQuery('lexical') ?? []).map((q) => [q.id, q]));
      if (!dense?.every((q) => q.scores)) continue;
      runs.push({
        label: `${json.dataset.name} ${system.system}`,
        queries: dense.map((q) => ({
          judged: qrels.get(q.id) ?? new Map(),
          dense: toList('dense', q),
          lexical: toList('lexical', lexical.get(q.id)),
        })),
      });
    }
  }
  return runs;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ndcg = (lists: RankedList[], settings: FusionSettings, judged: Judgments) =>
  ndcgAt(
    fuseLists(lists, settings).hits.map((h) => h.id),
    judged,
    10,
  );

function label(s: FusionSettings): string {
  return s.method === 'rrf' ? `rrf, k ${s.rrfK}` : `weighted, dense ${s.denseWeight}`;
}

/**
 * The nDCG@10 of the better of a run's two retrievers, and per setting hybrid's nDCG@10 over
 * it: the server's fusion of each query's two lists.
 */
export function hybridRatios(
  run: FusionRun,
  settings: readonly FusionSettings[],
): { better: number; ratios: number[] } {
  const single: FusionSettings = { method: 'rrf', rrfK: 60, denseWeight: 0.5 };
  const better = Math.max(
    mean(run.queries.map((q) => ndcg([q.dense], single, q.judged))),
    mean(run.queries.map((q) => ndcg([q.lexical], single, q.judged))),
  );
  const ratios = settings.map((s) => mean(run.queries.map((q) => ndcg([q.dense, q.lexical], s, q.judged))) / better);
  return { better, ratios };
}

function main(files: string[]): void {
  const runs = loadRuns(files);
  if (runs.length === 0) throw new Error('no result has dense and lexical runs with recorded scores');
  const results = runs.map((run) => hybridRatios(run, SETTINGS));
  const rows = [
    `| fusion | ${runs.map((r) => r.label).join(' | ')} | min | mean |`,
    `|---|${runs.map(() => '---:|').join('')}---:|---:|`,
    `| better of dense and lexical (nDCG@10) | ${results.map((r) => r.better.toFixed(3)).join(' | ')} | | |`,
  ];
  SETTINGS.forEach((settings, i) => {
    const ratios = results.map((r) => r.ratios[i] as number);
    rows.push(
      `| ${label(settings)} | ${ratios.map((r) => r.toFixed(3)).join(' | ')} | ${Math.min(...ratios).toFixed(3)} | ${mean(ratios).toFixed(3)} |`,
    );
  });
  process.stdout.write(`### Hybrid nDCG@10 ÷ the better of its two retrievers\n\n${rows.join('\n')}\n`);
}

if (require.main === module) main(process.argv.slice(2));
