import { createCachedEmbedder } from '../../../src/adapters/embedders/cached-embedder';
import { guardEmbedder } from '../../../src/domain/embedder-breaker';
import { UnavailableError } from '../../../src/domain/errors';
import { createBreaker } from '../../../src/resilience/breaker';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { ctx } from '../search/search-fixture';

/**
 * The order the composition root builds (src/composition/open-models.ts): the cache outside
 * the `embedder` breaker, so a query seen before is still answered while the breaker is open,
 * and cache hits never count as the model's successes.
 */
describe('the embedding cache around the embedder breaker', () => {
  it('answers cached texts while the breaker is open; new texts fail fast without reaching the model', async () => {
    const model = new FakeEmbedder();
    const breaker = createBreaker({ name: 'embedder', timeoutMs: false, volumeThreshold: 2, resetTimeoutMs: 60_000 });
    const embedder = createCachedEmbedder(guardEmbedder(model, breaker));
    const [before] = await embedder.embed(['seen before'], ctx());
    model.failure = new UnavailableError('embedder is unreachable');
    for (const text of ['a', 'b']) await expect(embedder.embed([text], ctx())).rejects.toThrow('unreachable');
    expect(breaker.state()).toBe('open');
    const calls = model.calls.length;

    expect(await embedder.embed(['seen before'], ctx())).toEqual([before]);
    await expect(embedder.embed(['new text'], ctx())).rejects.toThrow('circuit breaker open');
    expect(model.calls).toHaveLength(calls);
    breaker.shutdown();
  });
});
