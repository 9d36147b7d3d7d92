import { Client, type ClientConfig } from 'pg';

/**
 * Asks the server to cancel whatever backend `pid` is running, from a short-lived connection
 * of its own (not the pool, which may be exhausted). Resolves to whether a signal was sent;
 * never rejects: a cancellation that cannot be delivered leaves the statement timeout in charge.
 */
export async function cancelBackend(config: ClientConfig, pid: number, timeoutMs = 2_000): Promise<boolean> {
  const client = new Client({ ...config, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    const result = await client.query<{ sent: boolean }>('SELECT pg_cancel_backend($1) AS sent', [pid]);
    return result.rows[0]?.sent === true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
