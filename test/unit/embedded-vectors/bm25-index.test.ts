import { Bm25Index } from '../../../src/adapters/embedded-vectors/bm25-index';

function scores(index: Bm25Index, query: string): Record<string, number> {
  const out: Record<string, number> = {};
  index.score(query, (id, score) => {
    out[id] = score;
  });
  return out;
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

    // Tokens: a = [invoice, more, invoice] (stop word "and" dropped, plurals folded), b = [refund, policy], c = [invoice].
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
});
