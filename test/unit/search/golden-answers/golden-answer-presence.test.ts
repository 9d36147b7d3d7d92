import { createGoldenAnswerPresence } from '../../../../src/domain/search/golden-answers/golden-answer-presence';
import { buildSearch, ctx, searchRequest } from '../search-fixture';

describe('golden-answer presence', () => {
  it('skips both golden-answer lookups while none exists, and finds one as soon as it is written', async () => {
    const fixture = buildSearch();
    fixture.store.scriptHits('docs', [{ id: 'doc', score: 0.5 }]);

    for (let i = 0; i < 3; i++) await fixture.service.search(searchRequest({ query: 'how do I pay' }), ctx());
    expect(fixture.store.searchesOf('_golden_answers')).toBe(0);
    expect(fixture.golden.calls.filter((c) => c === 'findByNormalizedQuestion')).toHaveLength(0);
    expect(fixture.golden.calls.filter((c) => c === 'any')).toHaveLength(1);

    await fixture.service.upsertGoldenAnswer({ question: 'How do I pay?', answer: 'By card.', sources: [] }, ctx());
    const found = await fixture.service.search(searchRequest({ query: 'how do I pay' }), ctx());
    expect(found.goldenAnswer).toMatchObject({ answer: 'By card.', match: 'exact' });

    await fixture.service.deleteGoldenAnswer(found.goldenAnswer!.id, ctx());
    const after = await fixture.service.search(searchRequest({ query: 'how do I pay' }), ctx());
    expect(after.goldenAnswer).toBeUndefined();
    fixture.service.close();
  });

  it('asks the repository again after the time to live, and runs the lookups when it cannot tell', async () => {
    let now = 0;
    let rows = 0;
    let failing = false;
    const repository = {
      calls: 0,
      async any() {
        repository.calls += 1;
        if (failing) throw new Error('down');
        return rows > 0;
      },
    };
    const presence = createGoldenAnswerPresence(repository, 1000, () => now);
    expect(await presence.maybePresent(ctx())).toBe(false);
    rows = 1;
    now = 999;
    expect(await presence.maybePresent(ctx())).toBe(false);
    now = 1000;
    expect(await presence.maybePresent(ctx())).toBe(true);
    expect(repository.calls).toBe(2);
    presence.invalidate();
    failing = true;
    expect(await presence.maybePresent(ctx())).toBe(true);
  });
});
