import type { CallContext } from '../../../src/domain/context';
import type { Reranker } from '../../../src/domain/ports';

/**
 * A Reranker that scores with `score` (default: the share of query words found in the text)
 * and records every call. Set `failure` to make it throw, `lexical` to make it a lexical
 * reranker (as the built-in BM25 one is).
 */
export class FakeReranker implements Reranker {
  readonly name = 'fake-reranker';
  lexical = false;
  readonly calls: Array<{ query: string; texts: string[] }> = [];
  failure: Error | undefined;

  constructor(private readonly score: (query: string, text: string) => number = wordOverlap) {}

  async rerank(query: string, texts: string[], _ctx: CallContext): Promise<number[]> {
    this.calls.push({ query, texts: [...texts] });
    if (this.failure) throw this.failure;
    return texts.map((text) => this.score(query, text));
  }
}

function wordOverlap(query: string, text: string): number {
  const words = (s: string) => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const wanted = words(query);
  const found = words(text);
  let shared = 0;
  for (const w of wanted) if (found.has(w)) shared++;
  return wanted.size === 0 ? 0 : shared / wanted.size;
}
