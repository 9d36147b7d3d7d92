/**
 * `npm run eval -- --dataset NAME[,NAME…]|all|DIR`: retrieval quality through the service.
 * For each dataset: loads the documents through UpsertDocuments, runs every judged query
 * through Search in each mode, and scores recall and the BM25 anchor with the same measures
 * (./metrics.ts). Prints a Markdown table per dataset (and, for several, the summary across
 * them) on stdout and writes the JSON to bench/results/eval-<dataset>-<stamp>.json.
 * `--memory DIR|FILE` evaluates RecallFacts on LoCoMo-format data instead (./memory/).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileStamp } from '../report/results-writer';
import { ensureBuild } from '../server/ensure-build';
import { PROJECT_ROOT } from '../server/recall-process';
import { runAnchor } from './anchor';
import { judgedQueries, loadDataset } from './dataset';
import { type EvalOptions, parseEvalOptions } from './eval-options';
import { type DatasetResult, evalSummary } from './eval-summary';
import { evalRatios, evalTable, ratioLines } from './eval-table';
import { runMemoryEval } from './memory/run-memory-eval';
import { meanScores, scoreQuery } from './metrics';
import { SEARCH_LIMIT } from './mode-run';
import { type EvalModels, startEvalModels } from './models';
import { type SystemResult, runSystem } from './system-run';

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function evalDataset(
  spec: string,
  options: EvalOptions,
  models: EvalModels,
  log: (line: string) => void,
): Promise<DatasetResult> {
  const dataset = loadDataset(spec, PROJECT_ROOT);
  const all = judgedQueries(dataset);
  const queries = options.maxQueries > 0 ? all.slice(0, options.maxQueries) : all;
  log(
    `${dataset.name}: ${dataset.docs.length} documents, ${queries.length} judged queries${dataset.blankDocuments ? ` (blank documents left out: ${dataset.blankDocuments.join(', ')})` : ''}`,
  );
  log(`${dataset.name}: BM25 anchor`);
  const anchor = await runAnchor(dataset, queries, SEARCH_LIMIT);
  const anchorPerQuery = queries.map((q) => ({
    id: q.id,
    ...scoreQuery(anchor.run.get(q.id) ?? [], dataset.qrels.get(q.id) ?? new Map()),
  }));
  const anchorScores = meanScores(anchorPerQuery);

  const results: SystemResult[] = [];
  for (const system of models.systems) {
    results.push(await runSystem(system, dataset, queries, models.rerank, (line) => log(`${dataset.name}: ${line}`)));
  }
  const table = evalTable(anchorScores, results);
  const ratios = evalRatios(results);
  mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `eval-${dataset.name}-${fileStamp()}.json`);
  const json = {
    kind: 'recall-eval',
    date: new Date().toISOString(),
    commit: gitCommit(),
    dataset: {
      name: dataset.name,
      documents: dataset.docs.length,
      queries: queries.length,
      ...(dataset.blankDocuments ? { blankDocumentsLeftOut: dataset.blankDocuments } : {}),
    },
    options,
    anchor: {
      system: 'BM25 (bm25s, English stop words, Snowball stemmer)',
      ...anchorScores,
      indexMs: anchor.indexMs,
      searchMs: anchor.searchMs,
      versions: anchor.versions,
      perQuery: anchorPerQuery,
    },
    ...(models.rerankStats ? { rerankCache: { ...models.rerankStats } } : {}),
    systems: results,
    table,
    ratios,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(
    `## ${dataset.name}\n\n${table}\n\n${ratios.length ? `${ratioLines(ratios)}\n\n` : ''}results: ${path.relative(process.cwd(), file)}\n\n`,
  );
  return { dataset: dataset.name, anchor: anchorScores, systems: results };
}

async function main(options: EvalOptions): Promise<void> {
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(`eval: ${line}\n`);
  };
  if (!options.target) ensureBuild(log);
  const models = await startEvalModels(options, log);
  try {
    if (options.memory) {
      await runMemoryEval({ ...options, memory: options.memory }, models, log);
      return;
    }
    const done: DatasetResult[] = [];
    for (const spec of options.datasets) done.push(await evalDataset(spec, options, models, log));
    if (done.length > 1) process.stdout.write(`## Across the datasets\n\n${evalSummary(done)}\n`);
  } finally {
    await models.stop();
  }
}

let options: EvalOptions;
try {
  options = parseEvalOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
main(options).catch((error: unknown) => {
  process.stderr.write(`eval failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
