import { createFactIndex } from '../../../src/domain/memory/fact-index';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { FakeVectorStore } from '../../support/fakes/fake-vector-store';
import { ctx } from '../search/search-fixture';

describe('fact recall', () => {
  const build = async () => {
    const store = new FakeVectorStore();
    const index = createFactIndex({ vectorStore: store, embedder: new FakeEmbedder() });
    const put = async (userId: string, facts: { id: string; content: string }[]) => {
      const vectors = await index.embed(
        facts.map((f) => f.content),
        ctx(),
      );
      await index.put(
        userId,
        facts.map((f, i) => ({ ...f, vector: vectors[i]! })),
        ctx(),
      );
    };
    await put('alice', [
      { id: 'a1', content: 'alice likes green tea' },
      { id: 'a2', content: 'alice lives in Lisbon' },
    ]);
    await put('bob', [{ id: 'b1', content: 'bob likes green tea' }]);
    return { store, index };
  };

  it("recalls the user's own facts, best first, never another user's", async () => {
    const { index } = await build();

    const facts = await index.recall('alice', 'likes green tea', 10, ctx());

    expect(facts.map((f) => f.factId)).toEqual(['a1', 'a2']);
    expect(facts[0]!.score).toBeGreaterThan(facts[1]!.score);
  });

  it("does not leak another user's facts even when the store ignores the filter", async () => {
    const { store, index } = await build();
    store.ignoreFilters = true;

    const facts = await index.recall('bob', 'likes green tea', 10, ctx());

    expect(facts.map((f) => f.factId)).toEqual(['b1']);
  });

  it("removes only the user's own facts among the ids", async () => {
    const { store, index } = await build();

    expect(await index.remove('alice', ['a1', 'b1'], ctx())).toBe(1);
    expect(
      store
        .records('_user_facts')
        .map((r) => r.id)
        .sort(),
    ).toEqual(['a2', 'b1']);
  });

  it('removes every fact of a user and counts them', async () => {
    const { store, index } = await build();

    expect(await index.removeUser('alice', ctx())).toBe(2);
    expect(store.records('_user_facts').map((r) => r.id)).toEqual(['b1']);
  });

  it('knows no facts before the first one is indexed', async () => {
    const index = createFactIndex({ vectorStore: new FakeVectorStore(), embedder: new FakeEmbedder() });

    expect(await index.recall('alice', 'anything', 5, ctx())).toEqual([]);
    expect(await index.removeUser('alice', ctx())).toBe(0);
  });
});
