import { lexicalTokens, termCounts } from '../rerankers/lexical-tokens';
import { TopK } from './top-k';

/** BM25's textbook parameters: term-frequency saturation and length normalisation. */
const K1 = 1.2;
const B = 0.75;

/** One term's postings: document numbers and term frequencies, parallel; may hold removed documents. */
interface Posting {
  docs: number[];
  tfs: number[];
  /** Live documents containing the term (the `docs` of removed documents are skipped). */
  df: number;
}

/**
 * A BM25 inverted index over one collection's texts, kept in memory beside its vectors and
 * updated with every put and remove; the store rebuilds it from the stored texts when it
 * loads a collection (cheaper than persisting it: see the report in the commit). Tokens are
 * the built-in lexical reranker's (lexical-tokens.ts), so retrieval and reranking agree on
 * what a word is. Scores use Lucene's IDF, ln(1 + (N − df + 0.5) / (df + 0.5)), never negative,
 * and count a term repeated in the query once per occurrence, as Lucene and bm25s do (long
 * prose queries repeat their key terms; counting each once flattened them).
 *
 * Documents get numbers that are never reused; removing one only marks it, and its postings
 * are swept out once removed documents outnumber the live ones, so writes stay O(terms).
 * A search sums scores in typed arrays indexed by document number, reused from one search to
 * the next, and allocates nothing per matching document.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Posting>();
  /** document number → id (undefined once removed), length in tokens, distinct terms. */
  private ids: (string | undefined)[] = [];
  private lengths: number[] = [];
  private terms: (Posting[] | undefined)[] = [];
  private readonly numbers = new Map<string, number>();
  private totalLength = 0;
  private removed = 0;
  /** A search's running score per document number (0: not matched yet; every match adds > 0). */
  private sums = new Float64Array(0);
  /** The document numbers a search has matched, in the order it first matched them. */
  private matched = new Int32Array(0);

  get size(): number {
    return this.numbers.size;
  }

  /** Indexes `text` under `id`, replacing what was indexed for it before. */
  put(id: string, text: string): void {
    this.remove(id);
    const tokens = lexicalTokens(text);
    const tf = termCounts(tokens);
    const doc = this.ids.length;
    const postings: Posting[] = [];
    for (const [term, count] of tf) {
      let posting = this.postings.get(term);
      if (!posting) {
        posting = { docs: [], tfs: [], df: 0 };
        this.postings.set(term, posting);
      }
      posting.docs.push(doc);
      posting.tfs.push(count);
      posting.df++;
      postings.push(posting);
    }
    this.ids.push(id);
    this.lengths.push(tokens.length);
    this.terms.push(postings);
    this.numbers.set(id, doc);
    this.totalLength += tokens.length;
  }

  /** Forgets `id`; a no-op when it is not indexed. */
  remove(id: string): void {
    const doc = this.numbers.get(id);
    if (doc === undefined) return;
    // A number in `numbers` is a live document: its terms and length are set.
    for (const posting of this.terms[doc] ?? []) posting.df--;
    this.numbers.delete(id);
    this.ids[doc] = undefined;
    this.terms[doc] = undefined;
    this.totalLength -= this.lengths[doc] ?? 0;
    if (++this.removed > this.numbers.size) this.sweep();
  }

  /**
   * The `limit` documents with the best BM25 score for `query` (every one above 0) whose id
   * `accept` lets through, best first. `accept` is asked only about documents good enough to
   * enter the top `limit` at that point.
   */
  best(query: string, limit: number, accept?: (id: string) => boolean): { id: string; score: number }[] {
    const top = new TopK(limit);
    const count = this.sum(query);
    try {
      for (let i = 0; i < count; i++) {
        // biome-ignore lint/style/noNonNullAssertion: i < count ≤ matched.length; hot loop over every match
        const doc = this.matched[i]!;
        // biome-ignore lint/style/noNonNullAssertion: doc < sums.length (sized past every document number)
        const score = this.sums[doc]!;
        // biome-ignore lint/style/noNonNullAssertion: sum() matches live documents only, whose id is set
        if (score > top.threshold && (!accept || accept(this.ids[doc]!))) top.offer(doc, score);
      }
    } finally {
      // biome-ignore lint/style/noNonNullAssertion: i < count ≤ matched.length
      for (let i = 0; i < count; i++) this.sums[this.matched[i]!] = 0;
    }
    return top.sorted().flatMap(({ item, score }) => {
      const id = this.ids[item];
      return id === undefined ? [] : [{ id, score }];
    });
  }

  /**
   * Sums the BM25 score of every document sharing a term with `query` into `sums` and lists
   * them in `matched`, in the order they are first met; returns how many.
   */
  private sum(query: string): number {
    const n = this.numbers.size;
    if (n === 0) return 0;
    if (this.sums.length < this.ids.length) {
      this.sums = new Float64Array(this.ids.length * 2);
      this.matched = new Int32Array(this.ids.length * 2);
    }
    const { ids, lengths, sums, matched } = this;
    const avgLength = this.totalLength / n || 1;
    let count = 0;
    for (const [term, qtf] of termCounts(lexicalTokens(query))) {
      const posting = this.postings.get(term);
      if (!posting || posting.df === 0) continue;
      // Lucene sums one clause per query occurrence: the same as weighting the term by its count.
      const weight = qtf * Math.log(1 + (n - posting.df + 0.5) / (posting.df + 0.5));
      const { docs, tfs } = posting;
      for (let i = 0; i < docs.length; i++) {
        // The hottest loop of lexical search: `docs` and `tfs` are parallel (i < docs.length), and
        // a live document (ids[doc] set) has a length and a slot in `sums`.
        // biome-ignore lint/style/noNonNullAssertion: i < docs.length
        const doc = docs[i]!;
        if (ids[doc] === undefined) continue;
        // biome-ignore lint/style/noNonNullAssertion: tfs is parallel to docs
        const tf = tfs[i]!;
        // biome-ignore lint/style/noNonNullAssertion: a live document has a length
        const norm = K1 * (1 - B + (B * lengths[doc]!) / avgLength);
        // biome-ignore lint/style/noNonNullAssertion: sums is sized past every document number
        const sum = sums[doc]!;
        if (sum === 0) matched[count++] = doc;
        sums[doc] = sum + (weight * tf * (K1 + 1)) / (tf + norm);
      }
    }
    return count;
  }

  /** Renumbers the live documents densely and drops removed ones from every posting. */
  private sweep(): void {
    const renumber = new Map<number, number>();
    const ids: string[] = [];
    const lengths: number[] = [];
    const terms: Posting[][] = [];
    this.ids.forEach((id, doc) => {
      const length = this.lengths[doc];
      const docTerms = this.terms[doc];
      // Removed documents have no id and no terms.
      if (id === undefined || length === undefined || docTerms === undefined) return;
      renumber.set(doc, ids.length);
      this.numbers.set(id, ids.length);
      ids.push(id);
      lengths.push(length);
      terms.push(docTerms);
    });
    for (const [term, posting] of this.postings) {
      const docs: number[] = [];
      const tfs: number[] = [];
      posting.docs.forEach((doc, i) => {
        const now = renumber.get(doc);
        const tf = posting.tfs[i];
        if (now === undefined || tf === undefined) return;
        docs.push(now);
        tfs.push(tf);
      });
      if (docs.length === 0) this.postings.delete(term);
      else Object.assign(posting, { docs, tfs });
    }
    this.ids = ids;
    this.lengths = lengths;
    this.terms = terms;
    this.removed = 0;
  }
}
