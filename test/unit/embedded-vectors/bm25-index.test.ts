import { Bm25Index } from '../../../src/adapters/embedded-vectors/bm25-index';

function scores(index: Bm25Index, query: string): Record<string, number> {
  return Object.fromEntries(index.best(query, 100).map(({ id, score }) => [id, score]));
}

/** BM25 by the book (k1 1.2, b 0.75, Lucene's IDF) for one term occurring `tf` times. */
function bm25(tf: number, df: number, n: number, length: number, avgLength: number): number {
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  return (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * length) / avgLength));
}

describe('Bm25Index', () => {
  it('scores documents by BM25 over the lexical reranker tokens', () => {
    const index = new Bm25Index();
    index.put('a', 'Invoices and more invoices');
    index.put('b', 'the refund policy');
    index.put('c', 'invoice');

    // Tokens: a = [invoic, more, invoic] (stop word "and" dropped, Porter2 stems), b = [refund, polici], c = [invoic].
    const avg = (3 + 2 + 1) / 3;
    const got = scores(index, 'invoice');
    expect(Object.keys(got).sort()).toEqual(['a', 'c']);
    expect(got.a).toBeCloseTo(bm25(2, 2, 3, 3, avg), 12);
    expect(got.c).toBeCloseTo(bm25(1, 2, 3, 1, avg), 12);
  });

  it('forgets replaced and removed texts, also after sweeping removed documents out', () => {
    const index = new Bm25Index();
    for (let i = 0; i < 10; i++) index.put(`d${i}`, `apple number${i}`);
    index.put('d3', 'banana');
    for (let i = 4; i < 10; i++) index.remove(`d${i}`);
    index.remove('nothing');

    expect(index.size).toBe(4);
    expect(Object.keys(scores(index, 'apple')).sort()).toEqual(['d0', 'd1', 'd2']);
    expect(Object.keys(scores(index, 'banana'))).toEqual(['d3']);
    expect(scores(index, 'number7')).toEqual({});
    // Same statistics as an index that never saw the removed documents.
    const fresh = new Bm25Index();
    for (let i = 0; i < 3; i++) fresh.put(`d${i}`, `apple number${i}`);
    fresh.put('d3', 'banana');
    expect(scores(index, 'apple banana')).toEqual(scores(fresh, 'apple banana'));
  });

  it('counts a term repeated in the query once per occurrence, as Lucene and bm25s do', () => {
    const index = new Bm25Index();
    index.put('both', 'invoice refund');
    index.put('invoice', 'invoice desk');
    index.put('refund', 'refund desk');
    index.put('other', 'travel policy');

    // By hand: N = 4, every text 2 tokens long (average 2), so the length norm is 1.2 and a term
    // met once scores tf·2.2 / (tf + 1.2) = 1 times its IDF ln(1 + (4 − 2 + 0.5) / (2 + 0.5)) = ln 2.
    // The query's tokens are [refund, invoic, invoic]: invoice weighs 2 ln 2, refund ln 2.
    const got = scores(index, 'refund invoice invoices');
    expect(Object.keys(got).sort()).toEqual(['both', 'invoice', 'refund']);
    expect(got.both).toBeCloseTo(3 * Math.LN2, 12); // 2.0794…
    expect(got.invoice).toBeCloseTo(2 * Math.LN2, 12); // 1.3862…
    expect(got.refund).toBeCloseTo(Math.LN2, 12);
    // The order follows: a text with the repeated term beats one with the term said once.
    expect(index.best('invoice invoice refund', 3).map((h) => h.id)).toEqual(['both', 'invoice', 'refund']);
    expect(scores(index, 'refund refund invoice').refund).toBeCloseTo(2 * Math.LN2, 12);
  });

  it('returns the best `limit` documents best first, and only those `accept` lets through', () => {
    const index = new Bm25Index();
    index.put('one', 'apple pear plum');
    index.put('two', 'apple apple pear plum');
    index.put('three', 'apple apple apple pear plum');
    index.put('none', 'cherry');

    expect(index.best('apple', 2).map((h) => h.id)).toEqual(['three', 'two']);
    expect(index.best('apple', 10).map((h) => h.id)).toEqual(['three', 'two', 'one']);
    const asked: string[] = [];
    const accept = (id: string) => {
      asked.push(id);
      return id !== 'three';
    };
    expect(index.best('apple', 2, accept).map((h) => h.id)).toEqual(['two', 'one']);
    expect(asked).not.toContain('none');
    // A search leaves nothing behind for the next one: pear's scores are as computed by hand.
    const avg = (3 + 4 + 5 + 1) / 4;
    expect(Object.values(scores(index, 'pear'))).toEqual(
      [3, 4, 5].map((length) => expect.closeTo(bm25(1, 3, 4, length, avg), 12)),
    );
    expect(index.best('cherry', 5).map((h) => h.id)).toEqual(['none']);
  });
});
