import { VectorCollection, toUnit } from '../../../src/adapters/embedded-vectors/vector-collection';
import { compileFilterPredicate } from '../../../src/adapters/filters';

/** A small deterministic PRNG, so a failure replays. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIM = 16;

describe("an owner's search reads the owner's rows only, and finds what a filtered full scan finds", () => {
  const random = prng(17);
  const vector = () => Array.from({ length: DIM }, () => random() - 0.5);
  const ofUser = (user: string) => compileFilterPredicate([{ field: 'user_id', operator: 'eq', values: [user] }]);

  function filled() {
    const collection = new VectorCollection('_user_facts', DIM);
    for (let i = 0; i < 600; i++) {
      const user = i < 20 ? 'target' : `other-${i % 50}`;
      collection.put({ id: `f${i}`, text: `fact ${i}`, metadata: { user_id: user }, unit: toUnit(vector()) });
    }
    return collection;
  }

  const same = (collection: VectorCollection, user: string) => {
    for (let q = 0; q < 5; q++) {
      const query = toUnit(vector());
      const partitioned = collection.searchPartition(user, query, 10, ofUser(user));
      const scanned = collection.search(query, 10, ofUser(user));
      expect(partitioned.map((h) => h.id)).toEqual(scanned.map((h) => h.id));
      partitioned.forEach((hit, i) => expect(hit.score).toBeCloseTo(scanned[i]!.score, 5));
    }
  };

  test('same hits as the filtered scan, never another owner', () => {
    const collection = filled();
    same(collection, 'target');
    const hits = collection.searchPartition('target', toUnit(vector()), 50, ofUser('target'));
    expect(hits).toHaveLength(20);
    expect(hits.every((h) => h.metadata.user_id === 'target')).toBe(true);
    expect(collection.searchPartition('nobody', toUnit(vector()), 10, ofUser('nobody'))).toEqual([]);
  });

  test('follows removals, moved slots and a fact re-put under another owner', () => {
    const collection = filled();
    for (let i = 0; i < 10; i++) collection.remove(`f${i}`);
    for (let i = 300; i < 400; i++) collection.remove(`f${i}`);
    collection.put({ id: 'f10', text: 'moved', metadata: { user_id: 'other-1' }, unit: toUnit(vector()) });
    same(collection, 'target');
    const ids = collection.searchPartition('target', toUnit(vector()), 50, ofUser('target')).map((h) => h.id);
    expect(ids.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `f${i + 11}`).sort());
  });
});
