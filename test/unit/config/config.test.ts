import { ConfigError, loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      grpcPort: 50051,
      metricsPort: 9464,
      host: '0.0.0.0',
      databaseUrl: undefined,
      milvusAddress: undefined,
      pgPoolMin: 5,
      pgPoolMax: 20,
      pgStatementTimeoutMs: 30_000,
      metricsPrefix: 'recall_',
      milvusConsistency: 'session',
      milvusSessionWindowMs: 5_000,
      search: {
        earlyExitScore: 0.9,
        earlyExitEnabled: true,
        earlyExitSignal: 'agreement',
        earlyExitThreshold: 0.33,
        fusionDepth: 100,
        rerankCandidates: 100,
        fanOut: 'parallel',
        retrievalMode: 'hybrid',
        fusion: 'weighted',
        rrfK: 60,
        fusionWeight: 0.03,
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.search)).toBe(true);
  });

  it('reranks the 100 best fused hits with the built-in reranker, and fewer with a model reranker', () => {
    expect(loadConfig({}).search.rerankCandidates).toBe(100);
    expect(loadConfig({ RERANK_URL: 'http://127.0.0.1:8080' }).search.rerankCandidates).toBe(10);
    expect(
      loadConfig({ RERANK_URL: 'http://127.0.0.1:8080', SEARCH_RERANK_CANDIDATES: '7' }).search.rerankCandidates,
    ).toBe(7);
  });

  it('fuses by reciprocal rank with an embedding model, and leans on BM25 with the built-in embedder', () => {
    expect(loadConfig({}).search).toMatchObject({ fusion: 'weighted', fusionWeight: 0.03 });
    const model = loadConfig({ EMBEDDING_URL: 'http://127.0.0.1:8080' }).search;
    expect(model).toMatchObject({ fusion: 'rrf', fusionWeight: 0.5 });
    // Set explicitly, either wins over the embedder's default.
    expect(loadConfig({ SEARCH_FUSION: 'rrf', SEARCH_FUSION_WEIGHT: '0.7' }).search).toMatchObject({
      fusion: 'rrf',
      fusionWeight: 0.7,
    });
  });

  it.each([
    ['GRPC_PORT', 'abc'],
    ['GRPC_PORT', '70000'],
    ['PG_POOL_MAX', '0'],
    ['SEARCH_EARLY_EXIT_SCORE', 'high'],
    ['SEARCH_EARLY_EXIT_SIGNAL', 'vibes'],
    ['SEARCH_EARLY_EXIT_THRESHOLD', '1.2'],
    ['SEARCH_FUSION_DEPTH', '99'],
    ['SEARCH_RERANK_CANDIDATES', '0'],
    ['SEARCH_FAN_OUT', 'diagonal'],
    ['SEARCH_RETRIEVAL_MODE', 'semantic'],
    ['SEARCH_FUSION', 'max'],
    ['SEARCH_RRF_K', '0'],
    ['SEARCH_FUSION_WEIGHT', '1.5'],
    ['MILVUS_CONSISTENCY', 'Strong'],
    ['MILVUS_SESSION_WINDOW_MS', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['MIGRATE_ON_START', 'maybe'],
    ['METRICS_PREFIX', 'bad-prefix'],
    ['EMBEDDING_URL', 'not a url'],
    ['TLS_CERT_FILE', '/nonexistent/cert.pem'],
    ['AUTH_TOKENS_FILE', '/nonexistent/tokens'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}:`));
  });

  it('refuses a pool minimum above the maximum', () => {
    expect(() => loadConfig({ PG_POOL_MIN: '30', PG_POOL_MAX: '20' })).toThrow(/^PG_POOL_MIN:/);
  });

  it('never echoes a database URL, which may hold a password', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^DATABASE_URL:/);
    expect(message).not.toContain('hunter2');
  });

  it('reads lists and accepts an empty metrics prefix', () => {
    const config = loadConfig({ SEARCH_DEFAULT_COLLECTIONS: ' docs, faq ,,', AUTH_TOKENS: 'a,b', METRICS_PREFIX: '' });
    expect(config.search.defaultCollections).toEqual(['docs', 'faq']);
    expect(config.security.authTokens.map((grant) => grant.token)).toEqual(['a', 'b']);
    expect(config.metricsPrefix).toBe('');
  });
});
