import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset, Qrels } from './dataset-types';

function jsonLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A collection in the BEIR layout: corpus.jsonl (`_id`, `title`, `text`), queries.jsonl
 * (`_id`, `text`) and qrels/test.tsv or qrels.tsv (`query-id corpus-id score`, a header line
 * allowed). Scores are the gains; 0 or less means judged not relevant.
 */
export function loadBeir(dir: string): Dataset {
  const docs = jsonLines(path.join(dir, 'corpus.jsonl')).map((d) => ({
    id: String(d._id),
    title: String(d.title ?? ''),
    body: String(d.text ?? ''),
  }));
  const queries = jsonLines(path.join(dir, 'queries.jsonl')).map((q) => ({ id: String(q._id), text: String(q.text) }));
  const qrelsFile = [path.join(dir, 'qrels', 'test.tsv'), path.join(dir, 'qrels.tsv')].find((f) => existsSync(f));
  if (!qrelsFile) throw new Error(`no qrels/test.tsv or qrels.tsv in ${dir}`);
  const qrels: Qrels = new Map();
  for (const line of readFileSync(qrelsFile, 'utf8').split(/\r?\n/)) {
    const [query, doc, score] = line.trim().split(/\t|\s+/);
    if (!query || !doc || score === undefined || !/^-?\d+(\.\d+)?$/.test(score)) continue; // header, blank
    const judged = qrels.get(query) ?? new Map<string, number>();
    judged.set(doc, Math.max(0, Number(score)));
    qrels.set(query, judged);
  }
  return { name: path.basename(dir), docs, queries, qrels };
}
