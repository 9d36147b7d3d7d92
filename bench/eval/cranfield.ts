import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Dataset, type EvalDocument, type EvalQuery, type Qrels, judge } from './dataset-types';
import { smartRecords } from './smart-format';

/**
 * The Cranfield collection (cran.all.1400, cran.qry, cranqrel). Its quirks: cranqrel numbers
 * queries by their ORDER in cran.qry (1–225), not by `.I`, so query ids here are those
 * positions; grades are 1 (complete answer) … 4 (minimal interest) and −1 (not relevant),
 * turned into gains 5 − grade (−1 → 0).
 */
export function loadCranfield(dir: string): Dataset {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const docs: EvalDocument[] = smartRecords(read('cran.all.1400')).map((r) => ({
    id: r.id,
    title: r.fields.T ?? '',
    body: r.fields.W ?? '',
  }));
  const queries: EvalQuery[] = smartRecords(read('cran.qry')).map((r, position) => ({
    id: String(position + 1),
    text: r.fields.W ?? '',
  }));
  const qrels: Qrels = new Map();
  for (const line of read('cranqrel').split(/\r?\n/)) {
    const [query, doc, grade] = line.trim().split(/\s+/);
    if (!query || !doc || grade === undefined) continue;
    const g = Number(grade);
    const gain = g >= 1 && g <= 4 ? 5 - g : 0;
    judge(qrels, query, String(Number(doc)), gain);
  }
  return { name: 'cranfield', docs, queries, qrels };
}
