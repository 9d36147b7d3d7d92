import { createCachedEmbedder } from '../../../src/adapters/embedders/cached-embedder';
import { embedText } from '../../../src/adapters/embedders/local-embedder';
import { type CallContext, backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { CancelledError, DeadlineExceededError, UnavailableError } from '../../../src/domain/errors';
import type { Embedder } from '../../../src/domain/ports';
import { createMetrics } from '../../../src/observability/metrics';

/** An embedder that records its batches and, when gated, waits for `release()` (or the caller's signal). */
class SlowEmbedder implements Embedder {
  readonly name = 'slow';
  readonly dimension = 16;
  readonly batches: string[][] = [];
  failNext: Error | undefined;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async embed(texts: string[], ctx: CallContext): Promise<number[][]> {
    this.batches.push([...texts]);
    if (this.gate) {
      await Promise.race([
        this.gate,
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new CancelledError()))),
      ]);
    }
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    return texts.map((t) => embedText(t, this.dimension));
  }
}

const counter = async (c: { get(): Promise<{ values: { value: number }[] }> }) => (await c.get()).values[0]?.value ?? 0;

describe('cached embedder', () => {
  it('answers repeats from the cache and counts hits and misses per text', async () => {
    const inner = new SlowEmbedder();
    const metrics = createMetrics('test_', { processMetrics: false });
    const cached = createCachedEmbedder(inner, {}, metrics);
    const ctx = backgroundContext();

    const first = await cached.embed(['a', 'b', 'a'], ctx);
    expect(first).toEqual(['a', 'b', 'a'].map((t) => embedText(t, 16)));
    expect(inner.batches).toEqual([['a', 'b']]);
    const second = await cached.embed(['b', 'c'], ctx);
    expect(second).toEqual(['b', 'c'].map((t) => embedText(t, 16)));
    expect(inner.batches).toEqual([['a', 'b'], ['c']]);

    expect(await counter(metrics.embeddingCacheMisses)).toBe(3);
    expect(await counter(metrics.embeddingCacheHits)).toBe(2);
    expect(cached.name).toBe('slow');
    expect(cached.dimension).toBe(16);
  });

  it('evicts the least recently used text first', async () => {
    const inner = new SlowEmbedder();
    const cached = createCachedEmbedder(inner, { maxEntries: 2 });
    const ctx = backgroundContext();
    await cached.embed(['a'], ctx);
    await cached.embed(['b'], ctx);
    await cached.embed(['a'], ctx); // a is now the most recent
    await cached.embed(['c'], ctx); // evicts b
    expect(cached.size).toBe(2);
    await cached.embed(['a'], ctx);
    await cached.embed(['b'], ctx);
    expect(inner.batches).toEqual([['a'], ['b'], ['c'], ['b']]);
  });

  it('shares one computation between concurrent calls for the same text', async () => {
    const inner = new SlowEmbedder();
    const metrics = createMetrics('test_', { processMetrics: false });
    const cached = createCachedEmbedder(inner, {}, metrics);
    inner.hold();
    const one = cached.embed(['same'], backgroundContext());
    const two = cached.embed(['same', 'other'], backgroundContext());
    inner.release();
    const [a, b] = await Promise.all([one, two]);
    expect(a[0]).toEqual(b[0]);
    expect(inner.batches).toEqual([['same'], ['other']]);
    expect(await counter(metrics.embeddingCacheHits)).toBe(1);
    expect(await counter(metrics.embeddingCacheMisses)).toBe(2);
  });

  it('does not cache failures', async () => {
    const inner = new SlowEmbedder();
    const cached = createCachedEmbedder(inner);
    inner.failNext = new UnavailableError('down');
    await expect(cached.embed(['x'], backgroundContext())).rejects.toBeInstanceOf(UnavailableError);
    await expect(cached.embed(['x'], backgroundContext())).resolves.toEqual([embedText('x', 16)]);
    expect(inner.batches).toHaveLength(2);
  });

  it('keeps the slices a failed call finished, so its retry computes only the rest', async () => {
    const inner = new SlowEmbedder();
    const cached = createCachedEmbedder(inner, { sliceSize: 2 });
    const texts = ['a', 'b', 'c', 'd', 'e'];
    inner.failNext = new UnavailableError('embedder timed out');
    await expect(cached.embed(texts, backgroundContext())).rejects.toBeInstanceOf(UnavailableError);
    expect(inner.batches).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    await expect(cached.embed(texts, backgroundContext())).resolves.toEqual(texts.map((t) => embedText(t, 16)));
    expect(inner.batches.slice(3)).toEqual([['a', 'b']]);
  });

  it("recomputes for a caller whose shared computation was cancelled by another caller's end", async () => {
    const inner = new SlowEmbedder();
    const cached = createCachedEmbedder(inner);
    inner.hold();
    const owner = new AbortController();
    const first = cached.embed(['q'], { deadline: Number.POSITIVE_INFINITY, signal: owner.signal });
    const second = cached.embed(['q'], backgroundContext());
    owner.abort();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    inner.release();
    await expect(second).resolves.toEqual([embedText('q', 16)]);
    expect(inner.batches).toEqual([['q'], ['q']]);
  });

  it("stops waiting on a shared computation at the caller's own deadline", async () => {
    const inner = new SlowEmbedder();
    const cached = createCachedEmbedder(inner);
    inner.hold();
    const owner = cached.embed(['q'], backgroundContext());
    const start = Date.now();
    await expect(cached.embed(['q'], contextWithTimeout(50))).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - start).toBeLessThan(500);
    inner.release();
    await owner;
  });

  it('hands out copies, so a caller cannot corrupt the cache', async () => {
    const cached = createCachedEmbedder(new SlowEmbedder());
    const [v] = await cached.embed(['x'], backgroundContext());
    v!.fill(0);
    expect((await cached.embed(['x'], backgroundContext()))[0]).toEqual(embedText('x', 16));
  });
});
