import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadBeir } from './beir';
import { loadCranfield } from './cranfield';

/** A document of a test collection. */
export interface EvalDocument {
  id: string;
  title: string;
  body: string;
}

/** A query of a test collection. */
export interface EvalQuery {
  id: string;
  text: string;
}

/** Relevance judgments: query id → document id → gain (0 = judged not relevant). */
export type Qrels = Map<string, Map<string, number>>;

/** A test collection: documents, queries and judgments. */
export interface Dataset {
  name: string;
  docs: EvalDocument[];
  queries: EvalQuery[];
  qrels: Qrels;
  /** Documents left out because their text is blank (recall refuses them; Cranfield has two). */
  blankDocuments?: string[];
}

/** The text recall and the anchor both index: title and abstract, as in the usual Cranfield runs. */
export function documentText(doc: EvalDocument): string {
  return doc.title && !doc.body.startsWith(doc.title) ? `${doc.title}\n${doc.body}` : doc.body || doc.title;
}

/**
 * Loads `spec`: a directory in the BEIR layout (corpus.jsonl) or with the Cranfield files
 * (cran.all.1400), or the name `cranfield`, looked up under $RECALL_EVAL_DATASETS (default
 * `../shared/datasets`, relative to the project root).
 */
export function loadDataset(spec: string, projectRoot: string): Dataset {
  let dir = spec;
  if (!spec.includes('/') && !existsSync(spec)) {
    const root = process.env.RECALL_EVAL_DATASETS ?? path.join(projectRoot, '..', 'shared', 'datasets');
    dir = path.join(root, spec);
  }
  dir = path.resolve(dir);
  if (existsSync(path.join(dir, 'cran.all.1400'))) return withoutBlank(loadCranfield(dir));
  if (existsSync(path.join(dir, 'corpus.jsonl'))) return withoutBlank(loadBeir(dir));
  throw new Error(
    `no dataset at ${dir}: expected corpus.jsonl + queries.jsonl + qrels (BEIR) or cran.all.1400 + cran.qry + cranqrel (set RECALL_EVAL_DATASETS or pass a directory)`,
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
  return { ...dataset, docs: dataset.docs.filter((d) => !blank.includes(d.id)), blankDocuments: blank };
}
