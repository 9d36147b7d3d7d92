import { performance } from 'node:perf_hooks';
import { type ClientConfig, Pool, type PoolClient, type QueryConfig } from 'pg';
import type { Breaker } from '../../domain/breaker';
import { type CallContext, backgroundContext, contextError, throwIfDone } from '../../domain/context';
import { UnavailableError } from '../../domain/errors';
import { raceContext, watchContext } from '../../domain/race-context';
import { createBreaker } from '../../resilience/breaker';
import { preparedStatementName } from '../sql/prepared-statements';
import type { SqlClient, SqlRow, SqlTx } from '../sql/sql-client';
import { isConnectionError, toDomainError } from '../sql/sql-errors';
import { cancelBackend } from './cancel-backend';
import { bindPoolMetrics } from './pool-metrics';
import { type PostgresClientOptions, resolvePostgresOptions, toPoolConfig } from './postgres-options';
import { redactUrl } from './redact-url';

/** A SqlClient on a `pg` pool, behind the `postgres` circuit breaker. */
export interface PostgresClient extends SqlClient {
  readonly kind: 'postgres';
  /** The connection string with its password masked, for logs. */
  readonly redactedUrl: string;
  /** Opens `poolMin` connections now (pg's `min` only stops reaping below it). */
  warmUp(ctx?: CallContext): Promise<void>;
  /** The pool's counters. */
  poolStats(): { total: number; idle: number; waiting: number };
}

type Work<T> = (client: PoolClient, ended: () => boolean) => Promise<T>;

/**
 * Builds the client; no connection is opened until the first call or warmUp(). Each call
 * acquires a connection within the caller's deadline; a statement still running when the
 * deadline passes is cancelled on the server and its connection discarded.
 */
export function createPostgresClient(options: PostgresClientOptions): PostgresClient {
  const resolved = resolvePostgresOptions(options);
  const poolConfig = toPoolConfig(resolved);
  const { metrics, logger } = options;
  const pool = new Pool(poolConfig);
  const refreshGauges = bindPoolMetrics(pool, metrics);
  const breaker: Breaker = createBreaker({ ...options.breaker, name: 'postgres' }, metrics);
  const redactedUrl = redactUrl(resolved.connectionString);
  const cancelConfig = {
    connectionString: resolved.connectionString,
    application_name: `${resolved.applicationName}-cancel`,
  };
  let closing: Promise<void> | undefined;

  watchConnectionErrors(pool, logger, redactedUrl);

  async function acquire(ctx: CallContext): Promise<PoolClient> {
    const started = performance.now();
    try {
      return await raceContext(pool.connect(), ctx, { abandon: (client) => client.release() });
    } catch (error) {
      throw toDomainError(error, { backend: 'postgres', ctx });
    } finally {
      metrics?.dbPoolWait.observe((performance.now() - started) / 1000);
      refreshGauges();
    }
  }

  async function run<T>(operation: string, ctx: CallContext, work: Work<T>): Promise<T> {
    if (closing) throw new UnavailableError('postgres client is closed');
    throwIfDone(ctx);
    return breaker.run(async () => {
      const client = await acquire(ctx);
      const started = performance.now();
      return runWatched(client, ctx, cancelConfig, work, (error, ended) => {
        metrics?.dbQueryDuration.observe({ operation }, (performance.now() - started) / 1000);
        // A connection whose statement was cancelled, or that broke, is not handed out again.
        const discard = ended || (error !== undefined && isConnectionError(error));
        client.release(discard ? true : undefined);
        refreshGauges();
      });
    });
  }

  return {
    kind: 'postgres',
    redactedUrl,
    query<R = SqlRow>(operation: string, text: string, params: readonly unknown[], ctx: CallContext): Promise<R[]> {
      return run(operation, ctx, async (client) => (await client.query(statement(text, params))).rows as R[]);
    },
    transaction<T>(operation: string, ctx: CallContext, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
      return run(operation, ctx, (client, ended) => transactionWork(client, ended, ctx, fn));
    },
    async ping(ctx: CallContext): Promise<void> {
      await run('ping', ctx, (client) => client.query('SELECT 1'));
    },
    async warmUp(ctx: CallContext = backgroundContext()): Promise<void> {
      const attempts = await Promise.allSettled(Array.from({ length: resolved.poolMin }, () => acquire(ctx)));
      for (const attempt of attempts) if (attempt.status === 'fulfilled') attempt.value.release();
      refreshGauges();
      const failed = attempts.find((attempt) => attempt.status === 'rejected');
      if (failed) throw failed.reason;
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    breakerState: () => breaker.state(),
    close(): Promise<void> {
      closing ??= (async () => {
        breaker.shutdown();
        await pool.end();
        refreshGauges();
      })();
      return closing;
    },
  };
}

/** Logs a connection's failure instead of letting its 'error' event end the process. */
function watchConnectionErrors(pool: Pool, logger: PostgresClientOptions['logger'], redactedUrl: string): void {
  pool.on('error', (error) => logger?.warn({ err: error, url: redactedUrl }, 'idle postgres connection failed'));
  // pg removes the pool's listener while a client is checked out; a connection that dies then
  // (the server crashed between two statements) would be an unhandled 'error' event and end
  // the process. Its next query fails and the client is discarded on release.
  pool.on('connect', (client) =>
    client.on('error', (error) => logger?.warn({ err: error, url: redactedUrl }, 'postgres connection failed')),
  );
}

/**
 * Runs `work` on a checked-out connection until it settles or the call's context ends (which
 * cancels the statement on the server and rejects at once); `done` hears how it ended, once.
 */
function runWatched<T>(
  client: PoolClient,
  ctx: CallContext,
  cancelConfig: ClientConfig,
  work: Work<T>,
  done: (error: unknown, ended: boolean) => void,
): Promise<T> {
  let ended = false;
  return new Promise<T>((resolve, reject) => {
    const stopWatching = watchContext(ctx, () => {
      ended = true;
      void cancelBackend(cancelConfig, backendPid(client));
      reject(contextError(ctx));
    });
    work(client, () => ended).then(
      (value) => {
        finish(undefined);
        resolve(value);
      },
      (error: unknown) => {
        finish(error);
        reject(toDomainError(error, { backend: 'postgres', ctx }));
      },
    );
    function finish(error: unknown) {
      stopWatching();
      done(error, ended);
    }
  });
}

/** Runs `fn` in a transaction on `client`; once the call has ended no further statement is sent. */
async function transactionWork<T>(
  client: PoolClient,
  ended: () => boolean,
  ctx: CallContext,
  fn: (tx: SqlTx) => Promise<T>,
) {
  const ensureLive = () => {
    if (ended()) throw contextError(ctx);
  };
  const tx: SqlTx = {
    async query<R = SqlRow>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      ensureLive();
      return (await client.query(statement(text, params))).rows as R[];
    },
    async exec(script: string): Promise<void> {
      ensureLive();
      await client.query(script);
    },
  };
  await client.query('BEGIN');
  try {
    const result = await fn(tx);
    ensureLive();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // After a cancellation the connection is discarded, which rolls back on the server.
    if (!ended()) await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * A known statement (see prepared-statements.ts) goes as a named prepared statement: parsed
 * once per connection, planned generically once PostgreSQL finds that as good. Others unnamed.
 */
function statement(text: string, params: readonly unknown[]): QueryConfig {
  const name = preparedStatementName(text);
  return name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] };
}

/** The server process serving `client` (set by pg, missing from @types/pg). */
function backendPid(client: PoolClient): number {
  return (client as unknown as { processID: number }).processID;
}

/** Creates the client and opens its `poolMin` connections; rejects (UnavailableError) if it cannot. */
export async function openPostgresClient(options: PostgresClientOptions, ctx?: CallContext): Promise<PostgresClient> {
  const client = createPostgresClient(options);
  try {
    await client.warmUp(ctx);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
