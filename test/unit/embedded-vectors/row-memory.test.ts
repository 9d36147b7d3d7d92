import { RowMemory } from '../../../src/adapters/embedded-vectors/row-memory';

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
function floats(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

describe('RowMemory', () => {
  it.each([1, 3, 4, 5, 384, 385])('scores every row as its dot product with the query (dimension %i)', (dimension) => {
    const memory = new RowMemory(dimension, 4);
    const rows = Array.from({ length: 50 }, (_, i) => floats(dimension, i + 1));
    memory.reserve(rows.length);
    rows.forEach((row, slot) => memory.write(slot, row));
    const query = floats(dimension, 999);

    const scores = Array.from(memory.scores(query, rows.length));

    expect(scores).toHaveLength(rows.length);
    scores.forEach((score, slot) => expect(score).toBeCloseTo(dot(rows[slot]!, query), 4));
  });

  it('keeps every row, and scores them right, while it grows over its old scratch space', () => {
    const dimension = 5; // stride 8: three padding floats per row
    const memory = new RowMemory(dimension, 1);
    const rows: Float32Array[] = [];
    for (let slot = 0; slot < 3000; slot++) {
      // Score between writes, so the query and scores sit where later rows will go.
      if (slot % 97 === 0) memory.scores(floats(dimension, 7), slot);
      rows.push(floats(dimension, slot + 1));
      memory.reserve(slot + 1);
      memory.write(slot, rows[slot]!);
    }
    const query = floats(dimension, 4242);

    const scores = memory.scores(query, rows.length);

    rows.forEach((row, slot) => {
      expect(Array.from(memory.row(slot))).toEqual(Array.from(row));
      expect(scores[slot]).toBeCloseTo(dot(row, query), 4);
    });
  });

  it('moves a row over another', () => {
    const memory = new RowMemory(3, 2);
    memory.write(0, Float32Array.of(1, 2, 3));
    memory.write(1, Float32Array.of(4, 5, 6));

    memory.move(1, 0);

    expect(Array.from(memory.row(0))).toEqual([4, 5, 6]);
    expect(Array.from(memory.scores(Float32Array.of(1, 1, 1), 1))).toEqual([15]);
  });

  it('scores only the rows asked for', () => {
    const memory = new RowMemory(4, 8);
    for (let slot = 0; slot < 8; slot++) memory.write(slot, Float32Array.of(slot, 0, 0, 0));

    expect(Array.from(memory.scores(Float32Array.of(1, 0, 0, 0), 3))).toEqual([0, 1, 2]);
    expect(memory.scores(Float32Array.of(1, 0, 0, 0), 0)).toHaveLength(0);
  });
});

describe('RowMemory limits', () => {
  it('refuses more rows than 4 GiB can hold, naming the limit, and keeps what it has', () => {
    const memory = new RowMemory(4, 2);
    memory.write(0, Float32Array.of(1, 2, 3, 4));

    expect(memory.maxRows).toBe(Math.floor((2 ** 30 - 4) / 5));
    expect(() => memory.reserve(memory.maxRows + 1)).toThrow(/at most 214748364 vectors of dimension 4/);
    expect(Array.from(memory.row(0))).toEqual([1, 2, 3, 4]);
  });
});
