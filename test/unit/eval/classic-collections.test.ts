import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { documentText, judgedQueries, loadDataset } from '../../../bench/eval/dataset';

/** Writes `files` into a fresh directory and loads it as a dataset. */
function load(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'eval-collection-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return loadDataset(dir, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('MED loader', () => {
  // CRLF line endings and lines padded to 72 columns, as distributed.
  const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
  const med = () =>
    load({
      'MED.ALL': crlf(['.I 1', '.W', 'free fatty acids .        ', 'in plasma .', '.I 2', '.W', 'lens proteins .']),
      'MED.QRY': crlf(['.I 1', '.W', ' the crystalline lens in vertebrates.', '.I 2', '.W', ' fatty acids.']),
      'MED.REL': '1 0 2 1\n2 0 1 1\n',
    });

  it('reads the CRLF SMART files: .W is the text, padding trimmed, queries by .I', () => {
    const dataset = med();
    expect(dataset.name).toBe('med');
    expect(dataset.docs.map(documentText)).toEqual(['free fatty acids . in plasma .', 'lens proteins .']);
    expect(dataset.queries).toEqual([
      { id: '1', text: 'the crystalline lens in vertebrates.' },
      { id: '2', text: 'fatty acids.' },
    ]);
  });

  it('reads `query 0 doc 1` judgments as binary gains', () => {
    expect(med().qrels).toEqual(
      new Map([
        ['1', new Map([['2', 1]])],
        ['2', new Map([['1', 1]])],
      ]),
    );
  });
});

describe('CACM loader', () => {
  const cacm = () =>
    load({
      'cacm.all': [
        '.I 1',
        '.T',
        'Preliminary Report-International',
        'Algebraic Language',
        '.B',
        'CACM December, 1958',
        '.A',
        'Perlis, A. J.',
        '.N',
        'CA581203 JB March 22, 1978',
        '.X',
        '100\t5\t1',
        '.I 2',
        '.T',
        'Time sharing',
        '.W',
        'A time-sharing system for IBM computers.',
        '.K',
        'tss, scheduling',
        '',
      ].join('\n'),
      'query.text': [
        '.I 1',
        '.W',
        ' What articles deal with TSS (Time Sharing System)?',
        '.N',
        ' 1. Richard Alexander, Comp Serv (TSS)',
        '.I 2',
        '.W',
        ' Articles by Prieve',
        '.A',
        'Prieve, B.',
        '',
      ].join('\n'),
      'qrels.text': '01 2  0 0\n01 1\t0 0\n',
    });

  it('indexes the title (over several lines) and the abstract only, not the metadata fields', () => {
    const { docs } = cacm();
    expect(docs.map(documentText)).toEqual([
      'Preliminary Report-International Algebraic Language',
      'Time sharing\nA time-sharing system for IBM computers.',
    ]);
  });

  it('takes the query from .W only, and reads zero-padded judgments; unjudged queries are left out', () => {
    const dataset = cacm();
    expect(dataset.queries.map((q) => q.text)).toEqual([
      'What articles deal with TSS (Time Sharing System)?',
      'Articles by Prieve',
    ]);
    expect(dataset.qrels.get('1')).toEqual(
      new Map([
        ['2', 1],
        ['1', 1],
      ]),
    );
    expect(judgedQueries(dataset).map((q) => q.id)).toEqual(['1']);
  });
});

describe('NPL loader', () => {
  const npl = () =>
    load({
      'doc-text':
        '1\ncompact memories have flexible capacities\n with capacity up to bits\n   /\n2\nan analogue computer\n   /\n',
      'query-text': '1\nMEASUREMENT OF DIELECTRIC CONSTANT\n/\n2\nANALOGUE COMPUTERS\n/\n',
      'rlv-ass': `1\n${'    2'.padStart(5)}    1\n   /\n2\n    2\n   /\n`,
    });

  it('reads records up to the `/` terminator, joining their lines', () => {
    const { docs } = npl();
    expect(docs.map((d) => [d.id, documentText(d)])).toEqual([
      ['1', 'compact memories have flexible capacities with capacity up to bits'],
      ['2', 'an analogue computer'],
    ]);
  });

  it('lower-cases the UPPER CASE queries, as the documents are written', () => {
    expect(npl().queries).toEqual([
      { id: '1', text: 'measurement of dielectric constant' },
      { id: '2', text: 'analogue computers' },
    ]);
  });

  it('reads the fixed-width relevance lists as binary judgments', () => {
    expect(npl().qrels).toEqual(
      new Map([
        [
          '1',
          new Map([
            ['2', 1],
            ['1', 1],
          ]),
        ],
        ['2', new Map([['2', 1]])],
      ]),
    );
  });
});
