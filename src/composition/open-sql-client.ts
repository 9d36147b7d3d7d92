import path from 'node:path';
import { openPgliteClient } from '../adapters/pglite/pglite-client';
import type * as PostgresClientModule from '../adapters/postgres/postgres-client';
import { redactUrl } from '../adapters/postgres/redact-url';
import type { SqlClient } from '../adapters/sql/sql-client';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { adapterBreakerOptions } from './breaker-options';

/**
 * Who opens the database: the server (the configured pool, its minimum opened at once,
 * metrics and logs) or a tool such as `npm run migrate` or the benchmark (two connections,
 * none opened up front, its own application name).
 */
export type SqlRole =
  | { kind: 'server'; metrics: Metrics; logger: Logger }
  | { kind: 'tool'; applicationName: string; statementTimeoutMs?: number };

/** PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR/pglite. */
export async function openSqlClient(config: Config, role: SqlRole): Promise<SqlClient> {
  if (!config.databaseUrl) {
    return openPgliteClient({
      dataDir: pgliteDir(config),
      ...(role.kind === 'server' ? { metrics: role.metrics } : {}),
    });
  }
  // Loaded here, not at the top: the embedded default never loads pg (see loadGrpcSurface in app.ts).
  const { createPostgresClient, openPostgresClient } =
    require('../adapters/postgres/postgres-client') as typeof PostgresClientModule;
  if (role.kind === 'server') {
    return openPostgresClient({
      connectionString: config.databaseUrl,
      poolMin: config.pgPoolMin,
      poolMax: config.pgPoolMax,
      statementTimeoutMs: config.pgStatementTimeoutMs,
      connectionTimeoutMs: config.pgConnectTimeoutMs,
      breaker: adapterBreakerOptions(config),
      metrics: role.metrics,
      logger: role.logger,
    });
  }
  return createPostgresClient({
    connectionString: config.databaseUrl,
    poolMin: 0,
    poolMax: 2,
    statementTimeoutMs: role.statementTimeoutMs ?? config.pgStatementTimeoutMs,
    connectionTimeoutMs: config.pgConnectTimeoutMs,
    applicationName: role.applicationName,
  });
}

/** Where the database is, safe to print (no credentials). */
export function describeDatabase(config: Config): string {
  return config.databaseUrl ? redactUrl(config.databaseUrl) : `PGlite at ${pgliteDir(config)}`;
}

/** Where the embedded PGlite database lives under DATA_DIR. */
export function pgliteDir(config: Config): string {
  return path.join(config.dataDir, 'pglite');
}
