import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A throw-away database on a PostgreSQL server. */
export interface ScratchDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops it (WITH (FORCE), so lingering connections do not block). Safe to call twice. */
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates `recall_bench_<random>` on the server of `adminUrl`. */
export async function createScratchDatabase(adminUrl: string): Promise<ScratchDatabase> {
  const name = `recall_bench_${randomBytes(5).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      dropped ??= withAdmin(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
      return dropped;
    },
  };
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
