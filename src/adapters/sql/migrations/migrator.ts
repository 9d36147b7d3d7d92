import { type CallContext, backgroundContext } from '../../../domain/context';
import type { SqlClient, SqlTx } from '../sql-client';
import { type MigrationFile, defaultMigrationsDir, loadMigrations } from './migration-files';

/** A migration problem that needs a person: an edited applied file, a missing down section. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Where the migration files are, and the context for the database calls. */
export interface MigrateOptions {
  /** Folder of numbered SQL files; the project's `migrations/` by default. */
  dir?: string;
  ctx?: CallContext;
}

/** One row of `migrate --status`. */
export interface MigrationStatus {
  version: number;
  name: string;
  applied: boolean;
  appliedAt: Date | undefined;
  /** False when the applied file has changed since, or no longer exists; undefined when pending. */
  checksumMatches: boolean | undefined;
}

/** Every migrator transaction takes this advisory lock first, so concurrent runs queue up. */
const LOCK_KEY = 7_262_841_903;

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

async function lockedTable(tx: SqlTx): Promise<AppliedRow[]> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
  await tx.exec(CREATE_TABLE);
  return tx.query<AppliedRow>('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version');
}

function checkChecksums(files: MigrationFile[], applied: AppliedRow[]): void {
  const changed = applied.filter((row) => {
    const file = files.find((f) => f.version === row.version);
    return file !== undefined && file.checksum !== row.checksum;
  });
  if (changed.length > 0) {
    const names = changed.map((row) => `${row.name}.sql`).join(', ');
    throw new MigrationError(`applied migration changed since it was applied (checksum mismatch): ${names}`);
  }
}

/**
 * Applies every pending migration in version order, each in its own transaction under the
 * advisory lock, and records it with its checksum. Re-running is a no-op. Refuses to run
 * (MigrationError naming the files) when an applied file has been edited.
 */
export async function migrate(client: SqlClient, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const ctx = options.ctx ?? backgroundContext();
  const files = await loadMigrations(options.dir ?? defaultMigrationsDir());
  const already = await client.transaction('migrate', ctx, lockedTable);
  checkChecksums(files, already);
  const applied: string[] = [];
  for (const file of files) {
    if (already.some((row) => row.version === file.version)) continue;
    const didApply = await client.transaction('migrate', ctx, async (tx) => {
      const rows = await lockedTable(tx);
      checkChecksums(files, rows);
      if (rows.some((row) => row.version === file.version)) return false;
      await tx.exec(file.up);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        file.version,
        file.name,
        file.checksum,
      ]);
      return true;
    });
    if (didApply) applied.push(file.name);
  }
  return { applied };
}

/**
 * Reverts one applied migration with its `-- migrate:down` section and forgets it, so the
 * next migrate() applies it again. Meant for optional migrations such as the memory indexes;
 * resolves to the names reverted (empty when it was not applied).
 */
export async function revert(
  client: SqlClient,
  version: number,
  options: MigrateOptions = {},
): Promise<{ reverted: string[] }> {
  const ctx = options.ctx ?? backgroundContext();
  const files = await loadMigrations(options.dir ?? defaultMigrationsDir());
  const file = files.find((f) => f.version === version);
  if (!file) throw new MigrationError(`no migration file with version ${version}`);
  if (file.down === undefined) throw new MigrationError(`${file.name}.sql has no "-- migrate:down" section`);
  const down = file.down;
  return client.transaction('migrate', ctx, async (tx) => {
    const rows = await lockedTable(tx);
    const row = rows.find((r) => r.version === version);
    if (!row) return { reverted: [] };
    if (row.checksum !== file.checksum) throw new MigrationError(`${file.name}.sql changed since it was applied`);
    await tx.exec(down);
    await tx.query('DELETE FROM schema_migrations WHERE version = $1', [version]);
    return { reverted: [file.name] };
  });
}

/** Every migration known to the folder or the database, by version; changes nothing. */
export async function migrationStatus(client: SqlClient, options: MigrateOptions = {}): Promise<MigrationStatus[]> {
  const ctx = options.ctx ?? backgroundContext();
  const files = await loadMigrations(options.dir ?? defaultMigrationsDir());
  const [table] = await client.query<{ present: boolean }>(
    'migrate_status',
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    [],
    ctx,
  );
  const rows = table?.present
    ? await client.query<AppliedRow>(
        'migrate_status',
        'SELECT version, name, checksum, applied_at FROM schema_migrations',
        [],
        ctx,
      )
    : [];
  const versions = [...new Set([...files.map((f) => f.version), ...rows.map((r) => r.version)])].sort((a, b) => a - b);
  return versions.map((version) => {
    const file = files.find((f) => f.version === version);
    const row = rows.find((r) => r.version === version);
    return {
      version,
      // Each version comes from a file or a row, so one of the two names is there.
      name: file?.name ?? row?.name ?? '',
      applied: row !== undefined,
      appliedAt: row?.applied_at,
      checksumMatches: row ? file?.checksum === row.checksum : undefined,
    };
  });
}
