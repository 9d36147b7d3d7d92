import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One numbered SQL file from the migrations folder. */
export interface MigrationFile {
  /** The number the file name starts with (`003_memory_indexes.sql` → 3). */
  version: number;
  /** The file name without `.sql`, e.g. `003_memory_indexes`. */
  name: string;
  /** sha256 (hex) of the whole file: any edit to an applied file is detected. */
  checksum: string;
  /** The statements that apply it. */
  up: string;
  /** The statements that revert it, when the file has a `-- migrate:down` section. */
  down: string | undefined;
}

const FILE_PATTERN = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;
const UP_MARKER = /^--\s*migrate:up\s*$/m;
const DOWN_MARKER = /^--\s*migrate:down\s*$/m;

/**
 * Parses a migration file. Without markers the whole file applies it; with them, the text
 * after `-- migrate:up` applies it and the text after `-- migrate:down` reverts it.
 */
export function parseMigration(fileName: string, text: string): MigrationFile {
  const version = FILE_PATTERN.exec(fileName)?.[1];
  if (version === undefined) throw new Error(`migration file name must look like 001_name.sql: ${fileName}`);
  const downAt = text.search(DOWN_MARKER);
  const upPart = downAt >= 0 ? text.slice(0, downAt) : text;
  const upAt = upPart.search(UP_MARKER);
  const up = (upAt >= 0 ? upPart.slice(upAt).replace(UP_MARKER, '') : upPart).trim();
  const down = downAt >= 0 ? text.slice(downAt).replace(DOWN_MARKER, '').trim() : undefined;
  return {
    version: Number.parseInt(version, 10),
    name: fileName.slice(0, -'.sql'.length),
    checksum: createHash('sha256').update(text).digest('hex'),
    up,
    down: down === '' ? undefined : down,
  };
}

/** Every migration in `dir`, by version; two files with the same number are an error. */
export async function loadMigrations(dir: string): Promise<MigrationFile[]> {
  const names = readdirSync(dir).filter((name) => FILE_PATTERN.test(name));
  const files = await Promise.all(
    names.map(async (name) => parseMigration(name, await readFile(path.join(dir, name), 'utf8'))),
  );
  files.sort((a, b) => a.version - b.version);
  for (const [i, file] of files.entries()) {
    const previous = files[i - 1];
    if (previous && file.version === previous.version) {
      throw new Error(`two migrations share version ${file.version}: ${previous.name}, ${file.name}`);
    }
  }
  return files;
}

/**
 * The project's `migrations/` folder, found by walking up from this module, so it works
 * from `src/` (tsx, ts-jest) and from the compiled `dist/src/` alike.
 */
export function defaultMigrationsDir(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(path.join(candidate, '001_memory_schema.sql'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no migrations folder found above ${__dirname}`);
    dir = parent;
  }
}
