/**
 * `npm run eval -- --dataset cranfield|DIR`: retrieval quality through the service. Loads the
 * documents through UpsertDocuments, runs every judged query through Search in each mode, and
 * scores recall and the BM25 anchor with the same measures (./metrics.ts). Prints a Markdown
 * table on stdout and writes the JSON to bench/results/eval-<dataset>-<stamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type EmbeddingServer, startEmbeddingServer } from '../../harness/embedding-server';
import { ensureBuild } from '../ensure-build';
import { PROJECT_ROOT } from '../recall-process';
import { fileStamp } from '../results-writer';
import { runAnchor } from './anchor';
import { judgedQueries, loadDataset } from './dataset';
import { createDocVectors } from './doc-vectors';
import { type EvalOptions, parseEvalOptions } from './eval-options';
import { evalRatios, evalTable, ratioLines } from './eval-table';
import { meanScores, scoreQuery } from './metrics';
import { SEARCH_LIMIT } from './mode-run';
import { type EvalSystem, type SystemResult, runSystem } from './system-run';

/** Shared by every run whatever its --out: the vectors depend only on model and text. */
const DOC_VECTOR_CACHE = path.join(PROJECT_ROOT, 'bench', 'results', 'cache');

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main(options: EvalOptions): Promise<void> {
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(`eval: ${line}\n`);
  };
  const dataset = loadDataset(options.dataset, PROJECT_ROOT);
  const all = judgedQueries(dataset);
  const queries = options.maxQueries > 0 ? all.slice(0, options.maxQueries) : all;
  log(
    `${dataset.name}: ${dataset.docs.length} documents, ${queries.length} judged queries${dataset.blankDocuments ? ` (blank documents left out: ${dataset.blankDocuments.join(', ')})` : ''}`,
  );
  if (!options.target) ensureBuild(log);

  log('BM25 anchor');
  const anchor = await runAnchor(dataset, queries, SEARCH_LIMIT);
  const anchorPerQuery = queries.map((q) => ({
    id: q.id,
    ...scoreQuery(anchor.run.get(q.id) ?? [], dataset.qrels.get(q.id) ?? new Map()),
  }));
  const anchorScores = meanScores(anchorPerQuery);

  const results: SystemResult[] = [];
  if (options.target) {
    results.push(
      await runSystem({ name: `target ${options.target}`, env: {}, target: options.target }, dataset, queries, log),
    );
  } else {
    for (const name of options.systems) {
      let model: EmbeddingServer | undefined;
      try {
        let system: EvalSystem = { name: 'built-in embedder', env: { ...options.serverEnv } };
        if (name === 'minilm') {
          log('starting the all-MiniLM-L6-v2 embedding server (scripts/embedding-server.sh)');
          model = await startEmbeddingServer();
          system = {
            name: 'all-MiniLM-L6-v2',
            env: {
              EMBEDDING_URL: model.url,
              EMBEDDING_MODEL: model.model,
              EMBEDDING_DIMENSION: String(model.dimension),
              ...options.serverEnv,
            },
            docVectors: options.docCache
              ? createDocVectors({ url: model.url, model: model.model, cacheDir: DOC_VECTOR_CACHE })
              : undefined,
          };
        }
        results.push(await runSystem(system, dataset, queries, log));
      } finally {
        await model?.stop();
      }
    }
  }

  const table = evalTable(anchorScores, results);
  const ratios = evalRatios(results);
  const stamp = fileStamp();
  mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `eval-${dataset.name}-${stamp}.json`);
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
    systems: results,
    table,
    ratios,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(
    `${table}\n\n${ratios.length ? `${ratioLines(ratios)}\n\n` : ''}results: ${path.relative(process.cwd(), file)}\n`,
  );
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
