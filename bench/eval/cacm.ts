import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Dataset, type Qrels, judge } from './dataset-types';
import { smartRecords } from './smart-format';

/**
 * The CACM collection (cacm.all, query.text, qrels.text). Its quirks: documents carry many
 * fields, of which only the title (`.T`, often over several lines) and the abstract (`.W`,
 * present in about half) are text to index — `.B`, `.A`, `.N`, `.K`, `.C` and the `.X`
 * citation triples are not; queries are `.W` only (`.N` names the requester, `.A` the
 * authors asked about); qrels.text is `query doc 0 0` with zero-padded numbers and uneven
 * spacing, binary. The 12 queries without judgments are left out later, as for every dataset.
 */
export function loadCacm(dir: string): Dataset {
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const docs = smartRecords(read('cacm.all')).map((r) => ({
    id: r.id,
    title: r.fields.T ?? '',
    body: r.fields.W ?? '',
  }));
  const queries = smartRecords(read('query.text')).map((r) => ({ id: r.id, text: r.fields.W ?? '' }));
  const qrels: Qrels = new Map();
  for (const line of read('qrels.text').split(/\r?\n/)) {
    const [query, doc] = line.trim().split(/\s+/);
    if (!query || !doc) continue;
    judge(qrels, String(Number(query)), String(Number(doc)), 1);
  }
  return { name: 'cacm', docs, queries, qrels };
}
