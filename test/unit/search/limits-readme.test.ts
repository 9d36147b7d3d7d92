import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INTERNAL_COLLECTION_NAMES } from '../../../src/domain/internal-collections';
import { MEMORY_LIMITS } from '../../../src/domain/memory';
import { COLLECTION_NAME_PATTERN, SEARCH_LIMITS as S } from '../../../src/domain/search/search-rules';
import { LIMITS } from '../../../src/domain/validation';
import { FILTER_FIELD_PATTERN } from '../../../src/domain/vector-rules';

/**
 * The Limits table (docs/limits.md, linked from README), row by row, as the rule modules define
 * it: change a limit and this fails until the page says the same (and the other way round).
 */

const M = MEMORY_LIMITS;
const kib = (bytes: number) => `${bytes} bytes (${bytes / 1024} KiB)`;
const pattern = (re: RegExp) => `\`${re.source.replace(/^\^|\$$/g, '')}\``;

const EXPECTED: Array<[string, string]> = [
  ['`user_id`', `1–${LIMITS.userIdMaxLength} characters of letters, digits and \`._:@-\``],
  ['facts per `AddFacts`', `1–${M.factsPerCall}`],
  ['fact `content`', `1–${M.factContentMaxLength} characters`],
  ['fact `source`', `≤ ${M.factSourceMaxLength} characters`],
  ['fact `confidence`', 'in [0, 1] (0 means 1)'],
  ['fact `metadata`', `≤ ${kib(LIMITS.metadataMaxBytes)} as JSON`],
  [
    'fact `valid_from`, `valid_until`, `expires_at`, `ttl`',
    `times in years 1–9999; \`valid_until\` after \`valid_from\` (or now); \`expires_at\` in the future; \`ttl\` > 0 and ≤ ${M.ttlMaxSeconds} s (ten years); not both \`expires_at\` and \`ttl\``,
  ],
  ['ids per `DeleteFacts`', `1–${M.idsPerCall}`],
  ['`RecallFacts` `limit`', `0 (= ${M.recallDefault}) to ${M.recallMax}`],
  ['messages per `AppendMessages`', `1–${M.messagesPerCall}`],
  ['message `role`', '`user`, `assistant`, `system` or `tool`'],
  ['message `content`', `1–${M.messageContentMaxLength} characters`],
  ['conversation `title`', `≤ ${M.titleMaxLength} characters`],
  ['`page_size`', `0 (= ${LIMITS.pageSizeDefault}) to ${LIMITS.pageSizeMax}`],
  ['Search `query`', `≤ ${S.queryMaxLength} characters; required unless \`vector\` is given`],
  ['Search `vector`', "the embedder's dimension; finite numbers, not all zeros"],
  ['Search `limit`', `0 (= ${S.limitDefault}) to ${S.limitMax}`],
  ['Search `collections`', `≤ ${S.collectionsPerSearch} (none = \`SEARCH_DEFAULT_COLLECTIONS\`)`],
  ['Search `filters`', `≤ ${S.filtersPerSearch}`],
  ['filter `field`', `${pattern(FILTER_FIELD_PATTERN)} (a top-level metadata key)`],
  [
    'filter `values`',
    `1, or 1–${S.valuesPerFilter} for \`IN\` / \`NOT_IN\`; strings, finite numbers or booleans; numbers only for \`LT\` / \`LTE\` / \`GT\` / \`GTE\``,
  ],
  [
    'collection name',
    `${pattern(COLLECTION_NAME_PATTERN)}; names starting with \`_\` are reserved for recall's own (${INTERNAL_COLLECTION_NAMES.map((n) => `\`${n}\``).join(', ')})`,
  ],
  ['documents per `UpsertDocuments`, ids per `DeleteDocuments`', `1–${S.documentsPerCall}`],
  [
    'document `id`',
    `1–${S.documentIdMaxBytes} bytes (Milvus's VARCHAR \`max_length\` counts bytes), no U+0000; unique within a call`,
  ],
  ['document `text`', `not blank; ≤ ${S.documentTextMaxBytes} bytes`],
  ['document `metadata`', `a JSON object of ≤ ${kib(S.metadataMaxBytes)}, nested ≤ ${S.metadataMaxDepth} levels`],
  ['document `vector`', `optional; the collection's dimension (≤ ${S.dimensionMax}); finite numbers, not all zeros`],
  ['golden answer `id`', 'a UUID; optional in `UpsertGoldenAnswer`'],
  ['golden answer `question`', `1–${S.goldenQuestionMaxLength} characters`],
  ['golden answer `answer`', `1–${S.goldenAnswerMaxLength} characters`],
  ['golden answer `sources`', `≤ ${S.goldenSourcesMax}, each 1–${S.goldenSourceMaxLength} characters`],
];

/** The rows of the first table on docs/limits.md (linked from README), header and rule line left out. */
function readmeLimitRows(): Array<[string, string]> {
  const page = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'limits.md'), 'utf8');
  const section = page.split(/^# /m).find((s) => s.startsWith('Limits\n'));
  if (!section) throw new Error('docs/limits.md has no "# Limits" section');
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  return rows.slice(2).map(([what = '', rule = '', ...rest]) => {
    if (rest.length > 0) throw new Error(`docs/limits.md row has more than two cells: ${what}`);
    return [what, rule];
  });
}

describe('the Limits table of docs/limits.md', () => {
  test('says exactly what the rule modules enforce, row by row', () => {
    expect(readmeLimitRows()).toEqual(EXPECTED);
  });
});
