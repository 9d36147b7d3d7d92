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
