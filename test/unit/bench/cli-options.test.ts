import { parseBenchArgs } from '../../../bench/cli-options';

describe('benchmark options', () => {
  it('embeds with the real MiniLM model on --minilm, and with the built-in embedder by default', () => {
    expect(parseBenchArgs(['--compare', '--quick', '--minilm'], 'out')).toMatchObject({
      minilm: true,
      embedLatencyMs: undefined,
    });
    expect(parseBenchArgs(['--compare'], 'out')).toMatchObject({ minilm: false, embedLatencyMs: undefined });
  });

  it('refuses two embedders at once, and --minilm for a server it does not start', () => {
    expect(() => parseBenchArgs(['--compare', '--minilm', '--embed-latency-ms', '5'], 'out')).toThrow(
      /--minilm and --embed-latency-ms/,
    );
    expect(() => parseBenchArgs(['--compare', '--minilm', '--target', '127.0.0.1:50051'], 'out')).toThrow(
      /not with --target/,
    );
  });
});

describe('bench --rerank-price', () => {
  it('takes the depths to price, the first also pricing AUTO, instead of a mode', () => {
    expect(parseBenchArgs(['--rerank-price', '20,10,30'], 'out')?.rerankPriceDepths).toEqual([20, 10, 30]);
    expect(parseBenchArgs(['--compare'], 'out')?.rerankPriceDepths).toBeUndefined();
  });

  it('refuses a bad depth, a second mode and a target', () => {
    expect(() => parseBenchArgs(['--rerank-price', '20,x'], 'out')).toThrow(/rerank depths/);
    expect(() => parseBenchArgs(['--rerank-price', '20', '--compare'], 'out')).toThrow(/exactly one/);
    expect(() => parseBenchArgs(['--rerank-price', '20', '--target', '127.0.0.1:1'], 'out')).toThrow(/no --target/);
  });
});
