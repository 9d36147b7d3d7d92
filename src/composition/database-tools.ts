import { type MigrateOptions, migrate, migrationStatus, revert } from '../adapters/sql/migrations/migrator';
import type { Config } from '../config';
import { backgroundContext } from '../domain/context';
import { describeDatabase, openSqlClient } from './open-sql-client';

/** The configured database as maintenance tools (`npm run migrate`, the benchmark) use it. */
export interface DatabaseTools {
  /** Where the database is, safe to print. */
  readonly where: string;
  migrate(options?: MigrateOptions): ReturnType<typeof migrate>;
  status(options?: MigrateOptions): ReturnType<typeof migrationStatus>;
  /** Reverts one applied migration through its `-- migrate:down` section. */
  revert(version: number, options?: MigrateOptions): ReturnType<typeof revert>;
  /** Runs ANALYZE, as a production database's autovacuum would after a bulk load. */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the database DATABASE_URL names (or the embedded PGlite one) with a tool's small pool. */
export async function openDatabaseTools(
  config: Config,
  applicationName: string,
  statementTimeoutMs?: number,
): Promise<DatabaseTools> {
  const sql = await openSqlClient(config, {
    kind: 'tool',
    applicationName,
    ...(statementTimeoutMs !== undefined && { statementTimeoutMs }),
  });
  return {
    where: describeDatabase(config),
    migrate: (options) => migrate(sql, options),
    status: (options) => migrationStatus(sql, options),
    revert: (version, options) => revert(sql, version, options),
    analyze: async () => {
      await sql.query('analyze', 'ANALYZE', [], backgroundContext());
    },
    close: () => sql.close(),
  };
}
