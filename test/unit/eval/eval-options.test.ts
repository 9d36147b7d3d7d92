import { parseEvalOptions } from '../../../bench/eval/eval-options';

describe('eval options', () => {
  it('passes --server-env settings to the recall processes it starts', () => {
    const options = parseEvalOptions([
      '--dataset',
      'cranfield',
      '--server-env',
      'SEARCH_FUSION_WEIGHT=0.3',
      '--server-env',
      'SEARCH_FUSION=weighted',
    ]);
    expect(options.serverEnv).toEqual({ SEARCH_FUSION_WEIGHT: '0.3', SEARCH_FUSION: 'weighted' });
    expect(parseEvalOptions(['--dataset', 'cranfield']).serverEnv).toEqual({});
  });

  it('refuses a malformed setting, and settings for a server it does not start', () => {
    expect(() => parseEvalOptions(['--dataset', 'x', '--server-env', 'weight'])).toThrow(/NAME=VALUE, got "weight"/);
    expect(() =>
      parseEvalOptions(['--dataset', 'x', '--target', '127.0.0.1:50051', '--server-env', 'SEARCH_FUSION=rrf']),
    ).toThrow(/--target is already running/);
  });
});

describe('eval options: datasets, systems and rerankers', () => {
  it('expands --dataset all to the four collections, and takes a comma list', () => {
    expect(parseEvalOptions(['--dataset', 'all']).datasets).toEqual(['cranfield', 'med', 'cacm', 'npl']);
    expect(parseEvalOptions(['--dataset', 'med,npl']).datasets).toEqual(['med', 'npl']);
  });

  it('names an unknown system or reranker, and a bad depth', () => {
    expect(() => parseEvalOptions(['--dataset', 'x', '--systems', 'gpt'])).toThrow(/unknown system "gpt"/);
    expect(() => parseEvalOptions(['--dataset', 'x', '--rerankers', 'llm'])).toThrow(/unknown reranker "llm"/);
    expect(() => parseEvalOptions(['--dataset', 'x', '--rerank-depth', '0'])).toThrow(/--rerank-depth/);
    expect(parseEvalOptions(['--dataset', 'x', '--rerankers', 'none,cross-encoder']).rerankers).toEqual([
      'none',
      'cross-encoder',
    ]);
  });
});

describe('eval options: --memory', () => {
  it('takes a LoCoMo-format file or directory instead of --dataset, and not both', () => {
    const options = parseEvalOptions(['--memory', 'test/fixtures/locomo-tiny', '--systems', 'builtin']);
    expect(options.memory).toMatch(/locomo-tiny$/);
    expect(options.datasets).toEqual([]);
    expect(() => parseEvalOptions(['--memory', 'test/fixtures/locomo-tiny', '--dataset', 'med'])).toThrow(
      /separate runs/,
    );
    expect(() => parseEvalOptions(['--memory', 'test/fixtures/no-such-dir'])).toThrow(/--memory: no LoCoMo-format/);
    expect(() => parseEvalOptions([])).toThrow(/--dataset or --memory is required/);
  });
});
