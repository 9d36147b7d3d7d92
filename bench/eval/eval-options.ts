import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../recall-process';

/** Everything an eval run is configured by (recorded in its JSON). */
export interface EvalOptions {
  dataset: string;
  systems: ('builtin' | 'minilm')[];
  target: string | undefined;
  /** Evaluate only the first N judged queries (0 = all). */
  maxQueries: number;
  docCache: boolean;
  outDir: string;
  quiet: boolean;
  /** Variables given to every recall process the eval starts (e.g. SEARCH_FUSION_WEIGHT). */
  serverEnv: Record<string, string>;
}

/** Shown by --help. */
export const EVAL_USAGE = `usage: npm run eval -- --dataset cranfield|DIR [options]

  --dataset NAME|DIR    a directory in the BEIR layout (corpus.jsonl, queries.jsonl,
                        qrels/test.tsv or qrels.tsv) or with the Cranfield files; a bare name is
                        looked up under $RECALL_EVAL_DATASETS (default ../shared/datasets)
  --systems LIST        builtin,minilm (default both): recall with its built-in embedder, and
                        with the local all-MiniLM-L6-v2 server (scripts/embedding-server.sh)
  --target HOST:PORT    evaluate a running recall instead of starting one (its own embedder)
  --queries N           only the first N judged queries (default all)
  --no-doc-cache        let recall embed documents through the MiniLM server instead of
                        reusing cached vectors (bench/results/cache/)
  --server-env K=V      set a variable of the recall processes the eval starts (repeatable),
                        e.g. --server-env SEARCH_FUSION_WEIGHT=0.3 to measure a setting
  --out DIR             results folder (default bench/results)
  --quiet               no progress lines on stderr`;

/** Parses argv (without node and the script). */
export function parseEvalOptions(argv: string[]): EvalOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      systems: { type: 'string', default: 'builtin,minilm' },
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
  if (!values.dataset) throw new Error(`--dataset is required\n${EVAL_USAGE}`);
  const systems = values.systems.split(',').map((s) => s.trim());
  for (const s of systems) {
    if (s !== 'builtin' && s !== 'minilm') throw new Error(`unknown system "${s}" (builtin, minilm)`);
  }
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
  return {
    dataset: values.dataset,
    systems: systems as EvalOptions['systems'],
    target: values.target,
    maxQueries,
    docCache: !values['no-doc-cache'],
    outDir: path.resolve(values.out),
    quiet: values.quiet,
    serverEnv,
  };
}
