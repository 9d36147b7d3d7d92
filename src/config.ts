import path from 'node:path';
import { CONSISTENCY_LEVELS, type ConsistencyLevel } from './adapters/milvus/read-consistency';
import { RERANK_FORMATS, type RerankFormat } from './adapters/rerankers/rerank-format';
import { ConfigError, type Env, type EnvReader, deepFreeze, reader } from './config/env-reader';
import { tokenGrants } from './config/token-grants';
import { MEMORY_LIMITS } from './domain/memory';
import {
  DEFAULT_EARLY_EXIT,
  DEFAULT_RERANK_CANDIDATES,
  EARLY_EXIT_SIGNALS,
  type EarlyExitSignal,
  RRF_K_MAX,
  SEARCH_LIMITS,
} from './domain/search';
import type { TokenGrant } from './domain/token-scopes';

/** Thrown at boot when an environment variable has a bad value; names the variable. */
export { ConfigError };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** recall's configuration, parsed once from the environment and frozen. */
export interface Config {
  readonly host: string;
  readonly grpcPort: number;
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly metricsPrefix: string;
  readonly dataDir: string;
  /** Postgres URL; undefined selects the embedded PGlite database under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly pgPoolMin: number;
  readonly pgPoolMax: number;
  readonly pgStatementTimeoutMs: number;
  readonly pgConnectTimeoutMs: number;
  readonly migrateOnStart: boolean;
  /** Milvus address; undefined selects the embedded vector store under dataDir. */
  readonly milvusAddress: string | undefined;
  readonly milvusToken: string | undefined;
  readonly milvusDatabase: string | undefined;
  readonly milvusTimeoutMs: number;
  /** Flush a collection after this many upserted rows (Milvus Lite searches unflushed rows slowly); 0 = never. */
  readonly milvusFlushAfterRows: number;
  /** How reads wait for writes: `session` reads Strong only for a while after this process wrote. */
  readonly milvusConsistency: ConsistencyLevel;
  readonly milvusSessionWindowMs: number;
  /** RecallFacts' retrievers when a request leaves `retrieval` UNSPECIFIED (MEMORY_RETRIEVAL_MODE). */
  readonly memoryRetrievalMode: 'hybrid' | 'dense' | 'lexical';
  readonly search: {
    readonly earlyExitScore: number;
    readonly earlyExitEnabled: boolean;
    /** What AUTO's early exit measures (domain/search/early-exit.ts). */
    readonly earlyExitSignal: EarlyExitSignal;
    /** Threshold of the `agreement` and `margin` signals; `score` uses earlyExitScore. */
    readonly earlyExitThreshold: number;
    /** Candidates per retriever and collection before fusion, whatever the request's limit. */
    readonly fusionDepth: number;
    /** How many fused hits the reranker sees. */
    readonly rerankCandidates: number;
    readonly fanOut: 'parallel' | 'sequential';
    readonly defaultCollections: readonly string[];
    readonly collectionTimeoutMs: number;
    /** How long a search waits for its query embedding before going on without the dense side. */
    readonly embeddingTimeoutMs: number;
    /** Most public collections callers may create (MAX_COLLECTIONS). */
    readonly maxCollections: number;
    readonly goldenAnswerThreshold: number;
    readonly rerankMinBudgetMs: number;
    /** Retrievers run when a request does not say: dense + BM25 fused, or one of them. */
    readonly retrievalMode: 'hybrid' | 'dense' | 'lexical';
    readonly fusion: 'rrf' | 'weighted';
    readonly rrfK: number;
    /** Weighted fusion: the dense lists' weight; lexical lists get 1 − this. */
    readonly fusionWeight: number;
  };
  readonly embedding: {
    /** OpenAI-compatible endpoint; undefined selects the built-in local embedder. */
    readonly url: string | undefined;
    readonly model: string;
    readonly apiKey: string | undefined;
    readonly dimension: number;
    readonly timeoutMs: number;
    readonly cacheSize: number;
    /** Instruction prefixes for queries and for documents (bge, e5), used exactly as given. */
    readonly prefixes: { readonly query: string; readonly document: string };
  };
  readonly rerank: {
    /** Rerank endpoint; undefined selects the built-in lexical reranker. */
    readonly url: string | undefined;
    readonly format: RerankFormat;
    readonly model: string;
    readonly apiKey: string | undefined;
    readonly timeoutMs: number;
  };
  readonly security: {
    /** Bearer tokens and their scopes (AUTH_TOKENS, AUTH_TOKENS_FILE); none turns auth off. */
    readonly authTokens: readonly TokenGrant[];
    readonly tlsCertFile: string | undefined;
    readonly tlsKeyFile: string | undefined;
    readonly tlsClientCaFile: string | undefined;
  };
  /** Tuning of every circuit breaker (collections, postgres, embedder, reranker). */
  readonly breaker: {
    readonly resetTimeoutMs: number;
    readonly errorThresholdPercentage: number;
    readonly volumeThreshold: number;
    readonly rollingCountTimeoutMs: number;
    /** Most collections with a breaker at once (callers create collections). */
    readonly maxCollections: number;
  };
  /** MemoryService: the expiry sweeper and recency weighting. */
  readonly memory: {
    /** Time between sweeps of expired facts; 0 turns the sweeper off. */
    readonly sweepIntervalMs: number;
    /** Most expired facts one sweep deletes. */
    readonly sweepBatchSize: number;
    /** RecallFacts recency weighting's half-life in days; 0 is off. */
    readonly recencyHalfLifeDays: number;
    /** Postings of users' lexical indexes kept in process (fact-term-snapshots.ts); 0 keeps none. */
    readonly lexicalCachePostings: number;
  };
  readonly shutdownGraceMs: number;
  readonly maxMessageBytes: number;
}

/**
 * Fusion defaults with an embedding model (EMBEDDING_URL): reciprocal rank fusion, which needs
 * no calibration of the two lists' scores; the weight only serves requests asking for
 * weighted fusion.
 */
const MODEL_FUSION_DEFAULTS = { fusion: 'rrf', weight: 0.5 } as const;

/**
 * Fusion defaults with the built-in embedder: a hashed bag of words without IDF, a much
 * weaker ranker than BM25 on the same words, so its list only breaks BM25's near-ties: it
 * counts for 3 % of the weighted fusion, the middle of the weights (0.02–0.04) that kept
 * hybrid at or above BM25 alone on all four eval collections, every judged query, after BM25
 * began counting query term frequency (0.05 fell to 0.998x on CACM, 0.1 to 0.99x on NPL).
 * RRF cannot be told that: it gives every list's first hit the same vote. See
 * docs/retrieval-quality.md.
 */
const BUILT_IN_FUSION_DEFAULTS = { fusion: 'weighted', weight: 0.03 } as const;

/**
 * Rerank depth of the built-in lexical reranker: it costs well under a millisecond per text
 * and improves dense-only results the deeper it looks, so it sees every fused hit a request
 * can return. A model reranker's default (DEFAULT_RERANK_CANDIDATES) prices each text.
 */
const BUILT_IN_RERANK_CANDIDATES = SEARCH_LIMITS.limitMax;

/** Parses and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const r = reader(env);
  // Read in this order, so the first bad variable named is the same whatever the layout below.
  const security = readSecurity(r);
  const pgPool = readPoolSize(r);
  const embeddingUrl = r.url('EMBEDDING_URL', ['http:', 'https:']);
  const rerankUrl = r.url('RERANK_URL', ['http:', 'https:']);

  const config: Config = {
    host: r.string('HOST', '0.0.0.0'),
    grpcPort: r.int('GRPC_PORT', 50051, 0, 65535),
    metricsPort: r.int('METRICS_PORT', 9464, 0, 65535),
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    metricsPrefix: r.pattern('METRICS_PREFIX', /^[a-zA-Z_][a-zA-Z0-9_]*$|^$/, 'recall_'),
    dataDir: path.resolve(r.string('DATA_DIR', './data')),
    ...readDatabase(r, pgPool),
    ...readMilvus(r),
    memoryRetrievalMode: r.oneOf('MEMORY_RETRIEVAL_MODE', ['hybrid', 'dense', 'lexical'], 'hybrid'),
    search: readSearch(r, { embeddingUrl, rerankUrl }),
    embedding: readEmbedding(r, embeddingUrl),
    rerank: {
      url: rerankUrl,
      format: r.oneOf('RERANK_FORMAT', RERANK_FORMATS, 'tei'),
      model: r.string('RERANK_MODEL', 'rerank'),
      apiKey: r.optional('RERANK_API_KEY'),
      timeoutMs: r.int('RERANK_TIMEOUT_MS', 2_000, 1, 600_000),
    },
    security,
    breaker: {
      resetTimeoutMs: r.int('BREAKER_RESET_MS', 10_000, 100, 3_600_000),
      errorThresholdPercentage: r.int('BREAKER_ERROR_THRESHOLD_PERCENT', 50, 1, 100),
      volumeThreshold: r.int('BREAKER_VOLUME_THRESHOLD', 5, 1, 1_000_000),
      rollingCountTimeoutMs: r.int('BREAKER_ROLLING_WINDOW_MS', 10_000, 100, 3_600_000),
      maxCollections: r.int('BREAKER_MAX_COLLECTIONS', 1_000, 1, 1_000_000),
    },
    memory: {
      sweepIntervalMs: r.int('MEMORY_SWEEP_INTERVAL_MS', 60_000, 0, 86_400_000),
      sweepBatchSize: r.int('MEMORY_SWEEP_BATCH_SIZE', 500, 1, MEMORY_LIMITS.idsPerCall),
      recencyHalfLifeDays: r.number('MEMORY_RECENCY_HALF_LIFE_DAYS', 0, 0, 36_500),
      lexicalCachePostings: r.int('MEMORY_LEXICAL_CACHE_POSTINGS', 1_000_000, 0, 100_000_000),
    },
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    maxMessageBytes: r.int('GRPC_MAX_MESSAGE_BYTES', 16 * 1024 * 1024, 1024, 512 * 1024 * 1024),
  };
  return deepFreeze(config);
}

/** Bearer tokens and TLS files; the key and certificate go together, a client CA needs both. */
function readSecurity(r: EnvReader): Config['security'] {
  const authTokens = tokenGrants(r.list('AUTH_TOKENS'), r.optional('AUTH_TOKENS_FILE'));
  const tlsCertFile = r.file('TLS_CERT_FILE');
  const tlsKeyFile = r.file('TLS_KEY_FILE');
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) {
    throw new ConfigError(tlsCertFile ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE', 'TLS_CERT_FILE and TLS_KEY_FILE go together');
  }
  const tlsClientCaFile = r.file('TLS_CLIENT_CA_FILE');
  if (tlsClientCaFile && !tlsCertFile) {
    throw new ConfigError('TLS_CLIENT_CA_FILE', 'mutual TLS needs TLS_CERT_FILE and TLS_KEY_FILE');
  }
  return { authTokens, tlsCertFile, tlsKeyFile, tlsClientCaFile };
}

/** PG_POOL_MIN and PG_POOL_MAX, the first no larger than the second. */
function readPoolSize(r: EnvReader): Pick<Config, 'pgPoolMin' | 'pgPoolMax'> {
  const pgPoolMin = r.int('PG_POOL_MIN', 5, 0, 1000);
  const pgPoolMax = r.int('PG_POOL_MAX', 20, 1, 1000);
  if (pgPoolMin > pgPoolMax) throw new ConfigError('PG_POOL_MIN', `must not exceed PG_POOL_MAX (${pgPoolMax})`);
  return { pgPoolMin, pgPoolMax };
}

/** The SQL database: PostgreSQL when DATABASE_URL is set, else the embedded one. */
function readDatabase(r: EnvReader, pgPool: Pick<Config, 'pgPoolMin' | 'pgPoolMax'>) {
  return {
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    ...pgPool,
    pgStatementTimeoutMs: r.int('PG_STATEMENT_TIMEOUT_MS', 30_000, 1, 3_600_000),
    pgConnectTimeoutMs: r.int('PG_CONNECT_TIMEOUT_MS', 5_000, 1, 600_000),
    migrateOnStart: r.bool('MIGRATE_ON_START', true),
  };
}

/** The vector store: Milvus when MILVUS_ADDRESS is set, else the embedded one. */
function readMilvus(r: EnvReader) {
  return {
    milvusAddress: r.optional('MILVUS_ADDRESS'),
    milvusToken: r.optional('MILVUS_TOKEN'),
    milvusDatabase: r.optional('MILVUS_DATABASE'),
    milvusTimeoutMs: r.int('MILVUS_TIMEOUT_MS', 10_000, 1, 600_000),
    milvusFlushAfterRows: r.int('MILVUS_FLUSH_AFTER_ROWS', 0, 0, 100_000_000),
    milvusConsistency: r.oneOf('MILVUS_CONSISTENCY', CONSISTENCY_LEVELS, 'session'),
    milvusSessionWindowMs: r.int('MILVUS_SESSION_WINDOW_MS', 5_000, 0, 3_600_000),
  };
}

/** SearchService tuning; fusion and rerank depth default by whether a model embeds and reranks. */
function readSearch(
  r: EnvReader,
  models: { embeddingUrl: string | undefined; rerankUrl: string | undefined },
): Config['search'] {
  const fusionDefaults = models.embeddingUrl ? MODEL_FUSION_DEFAULTS : BUILT_IN_FUSION_DEFAULTS;
  return {
    earlyExitScore: r.number('SEARCH_EARLY_EXIT_SCORE', 0.9, -1, 1),
    earlyExitEnabled: r.bool('SEARCH_EARLY_EXIT_ENABLED', true),
    earlyExitSignal: r.oneOf('SEARCH_EARLY_EXIT_SIGNAL', EARLY_EXIT_SIGNALS, DEFAULT_EARLY_EXIT.signal),
    earlyExitThreshold: r.number('SEARCH_EARLY_EXIT_THRESHOLD', DEFAULT_EARLY_EXIT.threshold, 0, 1),
    // Below the largest limit, a request could not be answered in full.
    fusionDepth: r.int(
      'SEARCH_FUSION_DEPTH',
      SEARCH_LIMITS.limitMax,
      SEARCH_LIMITS.limitMax,
      SEARCH_LIMITS.storeTopKMax,
    ),
    rerankCandidates: r.int(
      'SEARCH_RERANK_CANDIDATES',
      models.rerankUrl ? DEFAULT_RERANK_CANDIDATES : BUILT_IN_RERANK_CANDIDATES,
      1,
      SEARCH_LIMITS.storeTopKMax,
    ),
    fanOut: r.oneOf('SEARCH_FAN_OUT', ['parallel', 'sequential'], 'parallel'),
    defaultCollections: r.list('SEARCH_DEFAULT_COLLECTIONS', ['documents']),
    collectionTimeoutMs: r.int('SEARCH_COLLECTION_TIMEOUT_MS', 5_000, 1, 600_000),
    embeddingTimeoutMs: r.int('SEARCH_EMBEDDING_TIMEOUT_MS', 5_000, 1, 600_000),
    maxCollections: r.int('MAX_COLLECTIONS', 100, 1, 100_000),
    goldenAnswerThreshold: r.number('GOLDEN_ANSWER_THRESHOLD', 0.92, -1, 1),
    rerankMinBudgetMs: r.int('RERANK_MIN_BUDGET_MS', 50, 0, 600_000),
    retrievalMode: r.oneOf('SEARCH_RETRIEVAL_MODE', ['hybrid', 'dense', 'lexical'], 'hybrid'),
    fusion: r.oneOf('SEARCH_FUSION', ['rrf', 'weighted'], fusionDefaults.fusion),
    rrfK: r.int('SEARCH_RRF_K', 60, 1, RRF_K_MAX),
    fusionWeight: r.number('SEARCH_FUSION_WEIGHT', fusionDefaults.weight, 0, 1),
  };
}

/** The embedder: a model endpoint when EMBEDDING_URL is set, else the built-in one. */
function readEmbedding(r: EnvReader, url: string | undefined): Config['embedding'] {
  return {
    url,
    model: r.string('EMBEDDING_MODEL', 'text-embedding-3-small'),
    apiKey: r.optional('EMBEDDING_API_KEY'),
    dimension: r.int('EMBEDDING_DIMENSION', 384, 2, SEARCH_LIMITS.dimensionMax),
    timeoutMs: r.int('EMBEDDING_TIMEOUT_MS', 10_000, 1, 600_000),
    cacheSize: r.int('EMBEDDING_CACHE_SIZE', 10_000, 0, 10_000_000),
    prefixes: { query: r.verbatim('EMBEDDING_QUERY_PREFIX'), document: r.verbatim('EMBEDDING_DOCUMENT_PREFIX') },
  };
}
