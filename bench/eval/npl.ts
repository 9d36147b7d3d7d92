import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Dataset, type Qrels, judge } from './dataset-types';

/**
 * NPL's own layout: each record is a line with its number, then lines of content, then a
 * terminator line that is `/` once stripped (`   /` in doc-text and rlv-ass, `/` in
 * query-text). Returns [number, content lines] per record.
 */
function nplRecords(text: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  let current: [string, string[]] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '/') {
      current = undefined;
    } else if (!current) {
      if (line === '') continue;
      current = [String(Number(line)), []];
      out.push(current);
    } else {
      current[1].push(line);
    }
  }
  return out;
}

/**
 * The NPL (Vaswani) collection (doc-text, query-text, rlv-ass). Its quirks: no title field
 * and text already lower-cased without punctuation or digits; queries in UPPER CASE, which
 * are lower-cased here so that every system (cased models included) sees them as the
 * documents are written; rlv-ass lists each query's relevant documents in fixed-width
 * columns over several lines, binary.
 */
export function loadNpl(dir: string): Dataset {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const docs = nplRecords(read('doc-text')).map(([id, lines]) => ({ id, title: '', body: lines.join(' ') }));
  const queries = nplRecords(read('query-text')).map(([id, lines]) => ({ id, text: lines.join(' ').toLowerCase() }));
  const qrels: Qrels = new Map();
  for (const [query, lines] of nplRecords(read('rlv-ass'))) {
    for (const doc of lines.join(' ').split(/\s+/).filter(Boolean)) judge(qrels, query, String(Number(doc)), 1);
  }
  return { name: 'npl', docs, queries, qrels };
}
