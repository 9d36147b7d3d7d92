/**
 * `npm run migrate` applies pending migrations; `-- --status` lists them; `-- --down 003`
 * reverts one migration that has a `-- migrate:down` section (the memory indexes), which the
 * next `npm run migrate` applies again. Uses DATABASE_URL, or the embedded PGlite database
 * under DATA_DIR (default ./data) when it is unset.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openPgliteClient } from '../adapters/pglite/pglite-client';
import { createPostgresClient } from '../adapters/postgres/postgres-client';
import type { SqlClient } from '../adapters/sql/sql-client';
import { loadConfig } from '../config';
import { defaultMigrationsDir } from '../migrations/migration-files';
import { migrate, migrationStatus, revert } from '../migrations/migrator';

const USAGE = `usage: npm run migrate [-- --status | --down VERSION] [--dir FOLDER]
  (no option)      apply every pending migration
  --status         list migrations and whether they are applied
  --down VERSION   revert one applied migration (e.g. 003) using its "-- migrate:down" section
  --dir FOLDER     migrations folder (default: the project's migrations/)`;

async function openClient(): Promise<{ client: SqlClient; where: string }> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const client = createPostgresClient({
      connectionString: config.databaseUrl,
      poolMin: 0,
      poolMax: 2,
      statementTimeoutMs: config.pgStatementTimeoutMs,
      connectionTimeoutMs: config.pgConnectTimeoutMs,
      applicationName: 'recall-migrate',
    });
    return { client, where: client.redactedUrl };
  }
  const dataDir = path.join(config.dataDir, 'pglite');
  return { client: await openPgliteClient({ dataDir }), where: `PGlite at ${dataDir}` };
}

function formatStatus(rows: Awaited<ReturnType<typeof migrationStatus>>): string {
  const lines = rows.map((row) => {
    const state = row.applied ? `applied ${row.appliedAt?.toISOString() ?? ''}` : 'pending';
    const warning = row.checksumMatches === false ? '  CHANGED SINCE APPLIED (checksum mismatch or file missing)' : '';
    return `${String(row.version).padStart(3, '0')}  ${row.name.padEnd(32)} ${state}${warning}`;
  });
  return ['ver  name                             state', ...lines].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      status: { type: 'boolean', default: false },
      down: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = values.dir ? path.resolve(values.dir) : defaultMigrationsDir();
  const { client, where } = await openClient();
  try {
    if (values.status) {
      process.stdout.write(`migrations in ${where}\n${formatStatus(await migrationStatus(client, { dir }))}\n`);
    } else if (values.down !== undefined) {
      const version = Number.parseInt(values.down, 10);
      if (!Number.isInteger(version)) throw new Error(`--down needs a migration number, got "${values.down}"`);
      const { reverted } = await revert(client, version, { dir });
      process.stdout.write(
        reverted.length > 0 ? `reverted ${reverted.join(', ')} on ${where}\n` : `migration ${version} is not applied\n`,
      );
    } else {
      const { applied } = await migrate(client, { dir });
      process.stdout.write(
        applied.length > 0 ? `applied ${applied.join(', ')} on ${where}\n` : `nothing to apply on ${where}\n`,
      );
    }
    return 0;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
