/**
 * `npm run migrate` applies pending migrations; `-- --status` lists them; `-- --down 003`
 * reverts one migration that has a `-- migrate:down` section (the memory indexes), which the
 * next `npm run migrate` applies again. Uses DATABASE_URL, or the embedded PGlite database
 * under DATA_DIR (default ./data) when it is unset.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type DatabaseTools, openDatabaseTools } from '../composition/database-tools';
import { loadConfig } from '../config';
import { EXIT, exitCodeFor } from './exit-codes';

const USAGE = `usage: npm run migrate [-- --status | --down VERSION] [--dir FOLDER]
  (no option)      apply every pending migration
  --status         list migrations and whether they are applied
  --down VERSION   revert one applied migration (e.g. 003) using its "-- migrate:down" section
  --dir FOLDER     migrations folder (default: the project's migrations/)`;

function formatStatus(rows: Awaited<ReturnType<DatabaseTools['status']>>): string {
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
    return EXIT.ok;
  }
  const dirOption = values.dir ? { dir: path.resolve(values.dir) } : {};
  const db = await openDatabaseTools(loadConfig(), 'recall-migrate');
  const { where } = db;
  try {
    if (values.status) {
      process.stdout.write(`migrations in ${where}\n${formatStatus(await db.status(dirOption))}\n`);
    } else if (values.down !== undefined) {
      const version = Number.parseInt(values.down, 10);
      if (!Number.isInteger(version)) throw new Error(`--down needs a migration number, got "${values.down}"`);
      const { reverted } = await db.revert(version, dirOption);
      process.stdout.write(
        reverted.length > 0 ? `reverted ${reverted.join(', ')} on ${where}\n` : `migration ${version} is not applied\n`,
      );
    } else {
      const { applied } = await db.migrate(dirOption);
      process.stdout.write(
        applied.length > 0 ? `applied ${applied.join(', ')} on ${where}\n` : `nothing to apply on ${where}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
