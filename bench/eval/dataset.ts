import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadBeir } from './beir';
import { loadCacm } from './cacm';
import { loadCranfield } from './cranfield';
import type { Dataset, EvalDocument, EvalQuery } from './dataset-types';
import { loadMed } from './med';
import { loadNpl } from './npl';

export type { Dataset, EvalDocument, EvalQuery, Qrels } from './dataset-types';

/** The collections `--dataset all` evaluates, in the order of the tables. */
export const ALL_DATASETS = ['cranfield', 'med', 'cacm', 'npl'] as const;

/**
 * The text recall and the anchor both index: title and abstract, as in the usual runs on
 * these collections (the title alone when there is no abstract, as for half of CACM; the
 * abstract alone when it already starts with the title, as in Cranfield).
 */
export function documentText(doc: EvalDocument): string {
  if (!doc.body) return doc.title;
  return doc.title && !doc.body.startsWith(doc.title) ? `${doc.title}\n${doc.body}` : doc.body;
}

/** Each layout by a file only it has, and its loader. */
const LAYOUTS: { marker: string; load: (dir: string) => Dataset; files: string }[] = [
  { marker: 'cran.all.1400', load: loadCranfield, files: 'cran.all.1400 + cran.qry + cranqrel (Cranfield)' },
  { marker: 'MED.ALL', load: loadMed, files: 'MED.ALL + MED.QRY + MED.REL (MED)' },
  { marker: 'cacm.all', load: loadCacm, files: 'cacm.all + query.text + qrels.text (CACM)' },
  { marker: 'doc-text', load: loadNpl, files: 'doc-text + query-text + rlv-ass (NPL)' },
  { marker: 'corpus.jsonl', load: loadBeir, files: 'corpus.jsonl + queries.jsonl + qrels (BEIR)' },
];

/**
 * Loads `spec`: a directory in one of the layouts above, or a bare name (`cranfield`, `med`,
 * `cacm`, `npl`, …) looked up under $RECALL_EVAL_DATASETS (default `../shared/datasets`,
 * relative to the project root).
 */
export function loadDataset(spec: string, projectRoot: string): Dataset {
  let dir = spec;
  if (!spec.includes('/') && !existsSync(spec)) {
    const root = process.env.RECALL_EVAL_DATASETS ?? path.join(projectRoot, '..', 'shared', 'datasets');
    dir = path.join(root, spec);
  }
  dir = path.resolve(dir);
  const layout = LAYOUTS.find((l) => existsSync(path.join(dir, l.marker)));
  if (layout) return withoutBlank(layout.load(dir));
  throw new Error(
    `no dataset at ${dir}: expected ${LAYOUTS.map((l) => l.files).join(', or ')} (set RECALL_EVAL_DATASETS or pass a directory)`,
  );
}

/** The ids of the queries that have at least one relevant document: the ones evaluated. */
export function judgedQueries(dataset: Dataset): EvalQuery[] {
  return dataset.queries.filter((q) => [...(dataset.qrels.get(q.id)?.values() ?? [])].some((gain) => gain > 0));
}

/** The dataset without documents whose text is blank, for every system alike. */
function withoutBlank(dataset: Dataset): Dataset {
  const blank = dataset.docs.filter((d) => documentText(d).trim() === '').map((d) => d.id);
  if (blank.length === 0) return dataset;
  const left = new Set(blank);
  return { ...dataset, docs: dataset.docs.filter((d) => !left.has(d.id)), blankDocuments: blank };
}
