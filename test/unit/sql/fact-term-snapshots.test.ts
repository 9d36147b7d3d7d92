import { readPostingsRows, scoreTriples } from '../../../src/adapters/sql/fact-bm25';
import {
  buildSnapshot,
  createSnapshotCache,
  scoreSnapshot,
  termKey,
} from '../../../src/adapters/sql/fact-term-snapshots';
import { analyze } from '../../../src/adapters/sql/fact-terms';
import { prng } from '../../integration/postgres/contract-helpers';

const WORDS = [
  'cello',
  'lisbon',
  'caroline',
  'melanie',
  'paint',
  'dog',
  'camp',
  'beach',
  'pride',
  'book',
  '学习',
  'café',
];

/** Postings rows as SELECT_USER_POSTINGS returns them, for random facts. */
function rowsFor(facts: string[]) {
  const byTerm = new Map<string, string[]>();
  let total = 0;
  facts.forEach((content, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const { terms, length } = analyze(content);
    total += length;
    for (const [term, tf] of terms) byTerm.set(term, [...(byTerm.get(term) ?? []), `${id} ${tf} ${length}`]);
  });
  return [
    ...[...byTerm].map(([term, triples]) => ({
      term,
      a: triples.length,
      b: 0,
      postings: triples.join(' '),
      stamp: null,
    })),
    { term: 'indexed', a: facts.length, b: total, postings: null, stamp: null },
    { term: 'facts', a: facts.length, b: 0, postings: null, stamp: '42' },
  ];
}

describe("snapshots of a user's postings", () => {
  test('score exactly as the statement path, ties and repeated query terms included', () => {
    const random = prng(7);
    const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
    const facts = Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 8) }, pick).join(' '),
    );
    const { postings, counts } = readPostingsRows(rowsFor(facts));
    expect(counts).toEqual({ indexed: 300, totalLength: expect.any(Number), facts: 300, stamp: '42' });
    const snapshot = buildSnapshot('42', counts, postings);
    expect(snapshot.factIds).toHaveLength(300);
    for (let q = 0; q < 50; q++) {
      const query = Array.from({ length: 1 + Math.floor(random() * 5) }, pick).join(' ');
      const { terms } = analyze(query);
      for (const limit of [1, 7, 100]) {
        expect(scoreSnapshot(snapshot, terms, limit)).toEqual(scoreTriples(postings, counts, terms, limit));
      }
    }
  });

  test('keep no text: terms are 53-bit hashes, distinct for distinct terms', () => {
    const { postings, counts } = readPostingsRows(rowsFor(['Caroline went to the pride parade', 'café 学习']));
    const snapshot = buildSnapshot('1', counts, postings);
    for (const key of snapshot.terms.keys()) {
      expect(Number.isSafeInteger(key)).toBe(true);
    }
    expect(JSON.stringify([...snapshot.terms.keys()])).not.toMatch(/carolin|pride|caf/);
    const keys = new Set(Array.from({ length: 20_000 }, (_, i) => termKey(`term${i}`)));
    expect(keys.size).toBe(20_000);
    expect(termKey('cello')).toBe(termKey('cello'));
  });
});

describe('the snapshot cache', () => {
  const snapshotOf = (postings: number) => ({
    stamp: '1',
    counts: { indexed: 1, totalLength: 1, facts: 1, stamp: '1' },
    factIds: [],
    lengths: new Int32Array(),
    terms: new Map(),
    postings,
  });

  test('holds at most its postings, least recently used users first out, and never one user over a quarter', () => {
    const cache = createSnapshotCache({ maxPostings: 100 });
    cache.put('a', snapshotOf(20), cache.epoch());
    cache.put('b', snapshotOf(25), cache.epoch());
    cache.get('a');
    cache.put('c', snapshotOf(25), cache.epoch());
    cache.put('d', snapshotOf(20), cache.epoch());
    expect(cache.size()).toEqual({ users: 4, postings: 90 });
    cache.put('e', snapshotOf(20), cache.epoch());
    expect(cache.size()).toEqual({ users: 4, postings: 85 });
    expect([cache.get('a'), cache.get('b')].map(Boolean)).toEqual([true, false]);
    cache.put('big', snapshotOf(26), cache.epoch());
    expect(cache.get('big')).toBeUndefined();
  });

  test('drops a snapshot unused for its time to live', () => {
    let clock = 0;
    const cache = createSnapshotCache({ ttlMs: 1000, now: () => clock });
    cache.put('a', snapshotOf(5), cache.epoch());
    cache.put('b', snapshotOf(5), cache.epoch());
    clock = 900;
    expect(cache.get('a')).toBeDefined();
    clock = 1500;
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size()).toEqual({ users: 1, postings: 5 });
    clock = 2000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size()).toEqual({ users: 0, postings: 0 });
  });

  test('ForgetUser drops the user, the stamp it saw, and any snapshot read before it', () => {
    const cache = createSnapshotCache();
    cache.saw('a', '7', 3);
    cache.put('a', snapshotOf(5), cache.epoch());
    const before = cache.epoch();
    cache.forget('a');
    expect([cache.get('a'), cache.lastStamp('a'), cache.lastIndexed('a')]).toEqual([undefined, undefined, 0]);
    cache.put('a', snapshotOf(5), before);
    expect(cache.get('a')).toBeUndefined();
    cache.put('b', snapshotOf(5), cache.epoch());
    expect(cache.get('b')).toBeDefined();
  });
});
