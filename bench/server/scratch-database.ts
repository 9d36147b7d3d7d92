import { createTestDatabase, withAdmin } from '../../harness/postgres';

/** A throw-away database on a PostgreSQL server. */
export interface ScratchDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops it (WITH (FORCE), so lingering connections do not block). Safe to call twice. */
  drop(): Promise<void>;
}

/** Creates `recall_bench_<random>` on the server of `adminUrl`. */
export function createScratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  return createTestDatabase(adminUrl, 'recall_bench_');
}

/** The server's version (`SHOW server_version`), or undefined when it does not answer. */
export async function postgresVersion(url: string): Promise<string | undefined> {
  try {
    return await withAdmin(url, async (client) => {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return rows[0]?.server_version;
    });
  } catch {
    return undefined;
  }
}
