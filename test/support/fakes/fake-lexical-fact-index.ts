import type { LexicalFactIndex, ScoredFactId } from '../../../src/domain/ports';
import type { FakeMemoryRepository } from './fake-memory-repository';

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/**
 * An in-memory LexicalFactIndex over a FakeMemoryRepository's facts: a fact's score is how many
 * of the query's words it contains (a stand-in for BM25; the SQL one is tested for real). It
 * reads only the asked user's facts, and records its calls.
 */
export class FakeLexicalFactIndex implements LexicalFactIndex {
  calls = 0;
  /** Users ForgetUser told this index to drop, in order. */
  forgotten: string[] = [];
  /** When set, the next search rejects with it. */
  failWith: Error | undefined;

  constructor(private readonly repository: FakeMemoryRepository) {}

  async search(userId: string, query: string, limit: number): Promise<ScoredFactId[]> {
    this.calls += 1;
    const failure = this.failWith;
    this.failWith = undefined;
    if (failure) throw failure;
    const terms = words(query);
    return this.repository.facts
      .filter((fact) => fact.userId === userId)
      .map((fact) => ({ factId: fact.id, score: [...words(fact.content)].filter((w) => terms.has(w)).length }))
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score || (a.factId < b.factId ? -1 : 1))
      .slice(0, limit);
  }

  forgetUser(userId: string): void {
    this.forgotten.push(userId);
  }
}
