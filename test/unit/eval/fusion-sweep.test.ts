import { hybridRatios, toList } from '../../../bench/eval/fusion-sweep';

describe('the fusion sweep', () => {
  // One query, two relevant documents: dense finds both first, lexical ranks them last.
  const judged = new Map([
    ['a', 1],
    ['b', 1],
  ]);
  const dense = toList('dense', { id: 'q', ranking: ['a', 'b', 'c', 'd'], scores: [0.9, 0.8, 0.2, 0.1] } as never);
  const lexical = toList('lexical', { id: 'q', ranking: ['c', 'd', 'a', 'b'], scores: [9, 8, 1, 0.5] } as never);
  const run = { label: 'toy', queries: [{ judged, dense, lexical }] };

  it('scores hybrid through the server fusion against the better retriever, per setting', () => {
    const { better, ratios } = hybridRatios(run, [
      { method: 'weighted', rrfK: 60, denseWeight: 1 },
      { method: 'weighted', rrfK: 60, denseWeight: 0 },
      { method: 'rrf', rrfK: 60, denseWeight: 0.5 },
    ]);
    expect(better).toBe(1); // dense alone is perfect
    expect(ratios[0]).toBe(1); // all weight on dense: dense's order
    expect(ratios[1]).toBeLessThan(0.7); // all weight on lexical: the relevant ones third and fourth
    expect(ratios[2]).toBeLessThan(1); // RRF ties a and c at rank one of each list
  });

  it('refuses a ranking recorded without its scores', () => {
    expect(() => toList('dense', { id: 'q', ranking: ['a'], scores: [] } as never)).toThrow(/without its scores/);
  });
});
