/**
 * The machine's PostgreSQL for integration tests: found once by global set-up, then one
 * throw-away database per test file.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { redactUrl } from '../src/adapters/postgres/redact-url';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * An admin connection URL for the test PostgreSQL: RECALL_TEST_DATABASE_URL when set, else
 * the local server with trust auth. Throws a message saying what was tried when it does not
 * answer within about 3 s.
 */
export async function findPostgres(): Promise<string> {
  const url = process.env.RECALL_TEST_DATABASE_URL || DEFAULT_ADMIN_URL;
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch (error) {
    throw new Error(
      `no PostgreSQL at ${redactUrl(url)} (${(error as Error).message}); start one or set RECALL_TEST_DATABASE_URL`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `work` on a short-lived connection to `adminUrl`. */
export async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh, uniquely named database (`<prefix><random>`) and a way to drop it (WITH (FORCE)); safe to drop twice. */
export async function createTestDatabase(
  adminUrl: string,
  prefix = 'recall_test_',
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
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
