import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Dataset, type Qrels, judge } from './dataset-types';
import { smartRecords } from './smart-format';

/**
 * The MEDLINE collection (MED.ALL, MED.QRY, MED.REL). Its quirks: CRLF line endings in the
 * two SMART files (handled by smartRecords) and lines padded to 72 columns; documents have
 * only `.W` (the title is its first sentence), indexed whole, as the anchor's published run
 * does; MED.REL is `query 0 doc 1`, binary, query numbers being `.I` numbers of MED.QRY.
 */
export function loadMed(dir: string): Dataset {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const docs = smartRecords(read('MED.ALL')).map((r) => ({ id: r.id, title: '', body: r.fields.W ?? '' }));
  const queries = smartRecords(read('MED.QRY')).map((r) => ({ id: r.id, text: r.fields.W ?? '' }));
  const qrels: Qrels = new Map();
  for (const line of read('MED.REL').split(/\r?\n/)) {
    const [query, , doc, relevance] = line.trim().split(/\s+/);
    if (!query || !doc || relevance === undefined) continue;
    judge(qrels, String(Number(query)), String(Number(doc)), Number(relevance) > 0 ? 1 : 0);
  }
  return { name: 'med', docs, queries, qrels };
}
