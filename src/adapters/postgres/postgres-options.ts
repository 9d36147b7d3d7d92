import type { PoolConfig } from 'pg';
import type { BreakerOptions } from '../../domain/breaker';
import type { Metrics } from '../../observability/metrics';

/** The part of a pino logger the adapter uses. */
export interface AdapterLogger {
  warn(details: object, message: string): void;
}

/** How to reach PostgreSQL and how to size the pool. Only `connectionString` is required. */
export interface PostgresClientOptions {
  /** `postgres://user:password@host:port/db`; never logged as is (see redactUrl). */
  connectionString: string;
  /** Connections opened by warmUp() and kept open (PG_POOL_MIN). */
  poolMin?: number;
  /** Most connections at once (PG_POOL_MAX). */
  poolMax?: number;
  /** Server-side limit per statement, set on every connection (PG_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
  /** Longest wait for a new connection to open before it counts as unavailable. */
  connectionTimeoutMs?: number;
  /** Idle connections above `poolMin` are closed after this long. */
  idleTimeoutMs?: number;
  applicationName?: string;
  /** Breaker tuning; the breaker is always named `postgres`. */
  breaker?: Omit<BreakerOptions, 'name'>;
  metrics?: Metrics;
  logger?: AdapterLogger;
}

/** Defaults from the performance report: pool 5..20, 30 s statement timeout. */
export const POSTGRES_DEFAULTS = Object.freeze({
  poolMin: 5,
  poolMax: 20,
  statementTimeoutMs: 30_000,
  connectionTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  applicationName: 'recall',
});

/** The resolved options with every default filled in. */
export type ResolvedPostgresOptions = Required<
  Pick<
    PostgresClientOptions,
    | 'connectionString'
    | 'poolMin'
    | 'poolMax'
    | 'statementTimeoutMs'
    | 'connectionTimeoutMs'
    | 'idleTimeoutMs'
    | 'applicationName'
  >
>;

/** Fills in defaults and checks the pool bounds. */
export function resolvePostgresOptions(options: PostgresClientOptions): ResolvedPostgresOptions {
  const resolved = {
    connectionString: options.connectionString,
    poolMin: options.poolMin ?? POSTGRES_DEFAULTS.poolMin,
    poolMax: options.poolMax ?? POSTGRES_DEFAULTS.poolMax,
    statementTimeoutMs: options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs,
    connectionTimeoutMs: options.connectionTimeoutMs ?? POSTGRES_DEFAULTS.connectionTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? POSTGRES_DEFAULTS.idleTimeoutMs,
    applicationName: options.applicationName ?? POSTGRES_DEFAULTS.applicationName,
  };
  if (!Number.isInteger(resolved.poolMax) || resolved.poolMax < 1)
    throw new RangeError('poolMax must be an integer >= 1');
  if (!Number.isInteger(resolved.poolMin) || resolved.poolMin < 0 || resolved.poolMin > resolved.poolMax) {
    throw new RangeError('poolMin must be an integer between 0 and poolMax');
  }
  return resolved;
}

/** The `pg` Pool configuration for resolved options. */
export function toPoolConfig(options: ResolvedPostgresOptions): PoolConfig {
  return {
    connectionString: options.connectionString,
    min: options.poolMin,
    max: options.poolMax,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: options.connectionTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs,
    application_name: options.applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  };
}
