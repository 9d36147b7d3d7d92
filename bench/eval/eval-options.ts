import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RERANK_CANDIDATES } from '../../src/domain/search';
import { PROJECT_ROOT } from '../server/recall-process';
import { ALL_DATASETS } from './dataset';
import { EVAL_RERANKERS, type EvalReranker } from './eval-modes';
import { resolveLocomo } from './memory/locomo';

/** The embedders the eval can run recall with. */
export const EVAL_SYSTEMS = ['builtin', 'minilm', 'bge'] as const;
export type EvalSystemName = (typeof EVAL_SYSTEMS)[number];

/** Everything an eval run is configured by (recorded in its JSON). */
export interface EvalOptions {
  /** Datasets to evaluate, in order (`all` expands to ALL_DATASETS). */
  datasets: string[];
  /** `--memory`: a LoCoMo-format file or directory, evaluated through RecallFacts instead (./memory/). */
  memory: string | undefined;
  systems: EvalSystemName[];
  rerankers: EvalReranker[];
  target: string | undefined;
  /** Evaluate only the first N judged queries of each dataset (0 = all). */
  maxQueries: number;
  docCache: boolean;
  /** A running TEI `/rerank` cross-encoder, instead of starting the local one. */
  rerankUrl: string | undefined;
  /** A running OpenAI-compatible bge-small-en-v1.5, instead of starting the local one. */
  bgeUrl: string | undefined;
  /** SEARCH_RERANK_CANDIDATES of the cross-encoder runs (the sweep simulates shallower depths from them). */
  rerankDepth: number;
  /** Cached cross-encoder answers wait as long as the model took (latencies stay the model's). */
  rerankReplay: boolean;
  outDir: string;
  quiet: boolean;
  /** Variables given to every recall process the eval starts (e.g. SEARCH_FUSION_WEIGHT). */
  serverEnv: Record<string, string>;
}

/** Shown by --help. */
export const EVAL_USAGE = `usage: npm run eval -- --dataset NAME[,NAME…]|all|DIR [options]
       npm run eval -- --memory DIR|FILE [--systems …] [--queries N] [--target …] [--out DIR]

  --dataset NAMES|DIR   cranfield, med, cacm, npl (comma-separated, or all), or a directory in
                        one of their layouts or the BEIR layout (corpus.jsonl, queries.jsonl,
                        qrels/test.tsv or qrels.tsv); names are looked up under
                        $RECALL_EVAL_DATASETS (default ../shared/datasets)
  --memory DIR|FILE     memory quality through RecallFacts on LoCoMo-format JSON (one file, or
                        every .json of a directory; a bare name such as locomo-sample is looked
                        up like --dataset's): evidence recall@k and hit@10 per category and
                        retrieval mode beside BM25 (docs/memory-quality.md)
  --systems LIST        builtin,minilm,bge (default builtin,minilm): recall with its built-in
                        embedder, with all-MiniLM-L6-v2 (scripts/embedding-server.sh), with
                        bge-small-en-v1.5 (scripts/model-server.sh)
  --rerankers LIST      none,builtin,cross-encoder (default none,builtin): no reranker, the
                        built-in one, the ms-marco-MiniLM-L-12-v2 cross-encoder (scripts/model-server.sh)
  --rerank-url URL      a running TEI /rerank cross-encoder instead of the local model server
                        (scripts/model-server.sh); its scores are cached under
                        bench/results/cache/ by content hash
  --bge-url URL         a running /v1/embeddings bge-small-en-v1.5 instead of the local one
  --rerank-depth N      SEARCH_RERANK_CANDIDATES of the cross-encoder runs (default: recall's, 10)
  --rerank-replay       cached cross-encoder answers wait as long as the model took
  --target HOST:PORT    evaluate a running recall instead of starting one (its own models)
  --queries N           only the first N judged queries of each dataset (with --memory: the
                        first N questions of each conversation) (default all)
  --no-doc-cache        let recall embed documents instead of reusing cached vectors
  --server-env K=V      set a variable of the recall processes the eval starts (repeatable),
                        e.g. --server-env SEARCH_FUSION_WEIGHT=0.3 to measure a setting
  --out DIR             results folder (default bench/results)
  --quiet               no progress lines on stderr`;

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (${allowed.join(', ')})`);
  }
  return items as T[];
}

/** Parses argv (without node and the script). */
export function parseEvalOptions(argv: string[]): EvalOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      memory: { type: 'string' },
      systems: { type: 'string', default: 'builtin,minilm' },
      rerankers: { type: 'string', default: 'none,builtin' },
      'rerank-url': { type: 'string' },
      'bge-url': { type: 'string' },
      'rerank-depth': { type: 'string', default: String(DEFAULT_RERANK_CANDIDATES) },
      'rerank-replay': { type: 'boolean', default: false },
      target: { type: 'string' },
      queries: { type: 'string', default: '0' },
      'no-doc-cache': { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(PROJECT_ROOT, 'bench', 'results') },
      'server-env': { type: 'string', multiple: true, default: [] },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(EVAL_USAGE);
  if (values.dataset && values.memory) throw new Error('--dataset and --memory are separate runs: give one');
  if (!values.dataset && !values.memory) throw new Error(`--dataset or --memory is required\n${EVAL_USAGE}`);
  const dataset = values.dataset ?? '';
  const datasets = dataset === 'all' ? [...ALL_DATASETS] : dataset ? dataset.split(',').map((d) => d.trim()) : [];
  const systems = list(values.systems, EVAL_SYSTEMS, 'system');
  const rerankers = list(values.rerankers, EVAL_RERANKERS, 'reranker');
  const serverEnv: Record<string, string> = {};
  for (const setting of values['server-env']) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(setting);
    if (!match) throw new Error(`--server-env wants NAME=VALUE, got "${setting}"`);
    serverEnv[match[1]!] = match[2]!;
  }
  if (values.target && Object.keys(serverEnv).length > 0) {
    throw new Error('--server-env sets up the recall the eval starts; a --target is already running');
  }
  const maxQueries = Number(values.queries);
  if (!Number.isInteger(maxQueries) || maxQueries < 0) throw new Error('--queries must be a whole number');
  const rerankDepth = Number(values['rerank-depth']);
  if (!Number.isInteger(rerankDepth) || rerankDepth < 1) throw new Error('--rerank-depth must be a positive integer');
  return {
    datasets,
    memory: values.memory ? resolveLocomo(values.memory, PROJECT_ROOT) : undefined,
    systems,
    rerankers,
    target: values.target,
    maxQueries,
    docCache: !values['no-doc-cache'],
    rerankUrl: values['rerank-url'],
    bgeUrl: values['bge-url'],
    rerankDepth,
    rerankReplay: values['rerank-replay'],
    outDir: path.resolve(values.out),
    quiet: values.quiet,
    serverEnv,
  };
}
