import { ConfigError, loadConfig } from '../../../src/config';

describe('breaker configuration (BREAKER_*)', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}).breaker).toEqual({
      resetTimeoutMs: 10_000,
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      rollingCountTimeoutMs: 10_000,
      maxCollections: 1_000,
    });
  });

  it('reads every setting', () => {
    const config = loadConfig({
      BREAKER_RESET_MS: '2500',
      BREAKER_ERROR_THRESHOLD_PERCENT: '25',
      BREAKER_VOLUME_THRESHOLD: '20',
      BREAKER_ROLLING_WINDOW_MS: '30000',
      BREAKER_MAX_COLLECTIONS: '64',
    });
    expect(config.breaker).toEqual({
      resetTimeoutMs: 2_500,
      errorThresholdPercentage: 25,
      volumeThreshold: 20,
      rollingCountTimeoutMs: 30_000,
      maxCollections: 64,
    });
    expect(Object.isFrozen(config.breaker)).toBe(true);
  });

  it.each([
    ['BREAKER_RESET_MS', 'soon'],
    ['BREAKER_RESET_MS', '0'],
    ['BREAKER_ERROR_THRESHOLD_PERCENT', '0'],
    ['BREAKER_ERROR_THRESHOLD_PERCENT', '101'],
    ['BREAKER_ERROR_THRESHOLD_PERCENT', '50%'],
    ['BREAKER_VOLUME_THRESHOLD', '-1'],
    ['BREAKER_ROLLING_WINDOW_MS', '1.5'],
    ['BREAKER_MAX_COLLECTIONS', '0'],
    ['SEARCH_COLLECTION_TIMEOUT_MS', '0'],
    ['MILVUS_TIMEOUT_MS', 'never'],
    ['EMBEDDING_TIMEOUT_MS', '-5'],
    ['RERANK_TIMEOUT_MS', 'x'],
    ['PG_STATEMENT_TIMEOUT_MS', '0'],
  ])('refuses %s=%s at start-up, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });
});
