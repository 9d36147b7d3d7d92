import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dataset, EvalDocument, EvalQuery, Qrels } from './dataset';

/** SMART-format records: `.I n` starts one, `.X` lines start its fields. */
function records(text: string): { id: string; fields: Record<string, string> }[] {
  const out: { id: string; fields: Record<string, string> }[] = [];
  let field = '';
  for (const line of text.split(/\r?\n/)) {
    const start = /^\.I\s+(\d+)/.exec(line);
    if (start) {
      out.push({ id: String(Number(start[1])), fields: {} });
      field = '';
      continue;
    }
    const marker = /^\.([A-Z])\s*$/.exec(line);
    const current = out[out.length - 1];
    if (marker) field = marker[1]!;
    else if (current && field) current.fields[field] = `${current.fields[field] ?? ''} ${line.trim()}`.trim();
  }
  return out;
}

/**
 * The Cranfield collection (cran.all.1400, cran.qry, cranqrel). Its quirks: cranqrel numbers
 * queries by their ORDER in cran.qry (1–225), not by `.I`, so query ids here are those
 * positions; grades are 1 (complete answer) … 4 (minimal interest) and −1 (not relevant),
 * turned into gains 5 − grade (−1 → 0).
 */
export function loadCranfield(dir: string): Dataset {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const docs: EvalDocument[] = records(read('cran.all.1400')).map((r) => ({
    id: r.id,
    title: r.fields.T ?? '',
    body: r.fields.W ?? '',
  }));
  const queries: EvalQuery[] = records(read('cran.qry')).map((r, position) => ({
    id: String(position + 1),
    text: r.fields.W ?? '',
  }));
  const qrels: Qrels = new Map();
  for (const line of read('cranqrel').split(/\r?\n/)) {
    const [query, doc, grade] = line.trim().split(/\s+/);
    if (!query || !doc || grade === undefined) continue;
    const g = Number(grade);
    const gain = g >= 1 && g <= 4 ? 5 - g : 0;
    const judged = qrels.get(query) ?? new Map<string, number>();
    judged.set(String(Number(doc)), Math.max(gain, judged.get(String(Number(doc))) ?? 0));
    qrels.set(query, judged);
  }
  return { name: 'cranfield', docs, queries, qrels };
}
