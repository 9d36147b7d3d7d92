import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { documentText, judgedQueries, loadDataset } from '../../../bench/eval/dataset';

const DOCS = `.I 1
.T
wing flutter .
.A
someone
.B
j. ae. 1958
.W
wing flutter .
  flutter of thin wings at high speed .
.I 2
.T
slab heating
.W
heat transfer in slabs .
`;
// `.I` numbers with gaps, as in cran.qry: cranqrel numbers queries 1, 2 by position.
const QUERIES = `.I 001
.W
what causes flutter .
.I 004
.W
heat conduction in
composite slabs .
`;
const QRELS = `1 1 2
2 2 1
2 1 -1
`;

describe('Cranfield loader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cranfield-'));
    writeFileSync(path.join(dir, 'cran.all.1400'), DOCS);
    writeFileSync(path.join(dir, 'cran.qry'), QUERIES);
    writeFileSync(path.join(dir, 'cranqrel'), QRELS);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers queries by their order in cran.qry, not by .I', () => {
    const dataset = loadDataset(dir, dir);
    expect(dataset.queries).toEqual([
      { id: '1', text: 'what causes flutter .' },
      { id: '2', text: 'heat conduction in composite slabs .' },
    ]);
  });

  it('turns grades into gains 5 − grade, and −1 into 0', () => {
    const { qrels } = loadDataset(dir, dir);
    expect(qrels.get('1')).toEqual(new Map([['1', 3]]));
    expect(qrels.get('2')).toEqual(
      new Map([
        ['2', 4],
        ['1', 0],
      ]),
    );
  });

  it('indexes title and abstract, without repeating a title the abstract starts with', () => {
    const { docs } = loadDataset(dir, dir);
    expect(documentText(docs[0]!)).toBe('wing flutter . flutter of thin wings at high speed .');
    expect(documentText(docs[1]!)).toBe('slab heating\nheat transfer in slabs .');
  });

  it('evaluates only queries with a relevant document', () => {
    writeFileSync(path.join(dir, 'cranqrel'), '1 1 -1\n2 2 1\n');
    expect(judgedQueries(loadDataset(dir, dir)).map((q) => q.id)).toEqual(['2']);
    writeFileSync(path.join(dir, 'cranqrel'), QRELS);
  });
});
