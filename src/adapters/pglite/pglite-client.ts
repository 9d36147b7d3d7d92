import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CallContext, contextError, throwIfDone } from '../../domain/context';
import { UnavailableError } from '../../domain/errors';
import { raceContext } from '../../domain/race-context';
import type { Metrics } from '../../observability/metrics';
import { preparedStatementName } from '../sql/prepared-statements';
import type { SqlClient, SqlRow, SqlTx } from '../sql/sql-client';
import { toDomainError } from '../sql/sql-errors';
import { type WorkerChannel, startWorker } from '../threads/worker-channel';

/** Where PGlite keeps its files, and the metrics to record into. */
export interface PgliteClientOptions {
  /** Folder holding the database (created and initialised when empty); in memory when omitted. */
  dataDir?: string;
  metrics?: Metrics;
}

/** A SqlClient on a PGlite database owned by a worker thread of this process. */
export interface PgliteClient extends SqlClient {
  readonly kind: 'pglite';
  readonly dataDir: string | undefined;
}

/**
 * Opens (or creates: initdb takes several seconds) a PGlite database in a worker thread
 * (pglite-worker), so a long statement never blocks this thread's event loop. PGlite is one
 * session, so every call runs alone, in arrival order; a call whose context ends while it
 * waits never starts. Statements cannot be interrupted once running, so the deadline is
 * checked before each one. The worker starts before the first await (it creates the data
 * directory itself), so the caller's thread can do other work while the database boots.
 */
export async function openPgliteClient(options: PgliteClientOptions = {}): Promise<PgliteClient> {
  const { dataDir, metrics } = options;
  const worker = startWorker(path.join(__dirname, 'pglite-worker'), 'pglite database');
  try {
    await worker.call('open', dataDir);
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const exclusive = oneAtATime();
  let closing: Promise<void> | undefined;
  let changes = 0;

  async function run<T>(operation: string, ctx: CallContext, work: () => Promise<T>): Promise<T> {
    if (closing) throw new UnavailableError('pglite database is closed');
    throwIfDone(ctx);
    const queued = exclusive(async () => {
      throwIfDone(ctx);
      const started = performance.now();
      try {
        return await work();
      } catch (error) {
        throw toDomainError(error, { backend: 'pglite', ctx });
      } finally {
        metrics?.dbQueryDuration.observe({ operation }, (performance.now() - started) / 1000);
      }
    });
    return raceContext(queued, ctx);
  }

  return {
    kind: 'pglite',
    dataDir,
    query<R = SqlRow>(operation: string, text: string, params: readonly unknown[], ctx: CallContext): Promise<R[]> {
      if (!READ_ONLY.test(text)) changes++;
      // A known statement runs as a named prepared statement, as on PostgreSQL (pglite-prepared).
      const name = preparedStatementName(text);
      return run(operation, ctx, () => worker.call<R[]>('query', text, params, ...(name ? [name] : [])));
    },
    transaction<T>(operation: string, ctx: CallContext, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
      changes++;
      return run(operation, ctx, () => inTransaction(worker, ctx, fn));
    },
    async ping(ctx: CallContext): Promise<void> {
      await run('ping', ctx, () => worker.call('query', 'SELECT 1', []));
    },
    breakerState: () => 'closed',
    changes: () => changes,
    close(): Promise<void> {
      closing ??= exclusive(async () => {
        try {
          await worker.call('close');
        } finally {
          await worker.terminate();
        }
      });
      return closing;
    },
  };
}

/**
 * A statement that cannot write: a SELECT. This project's SQL writes only in INSERT, UPDATE,
 * DELETE or WITH statements (test/unit/sql/read-only-statements.test.ts checks).
 */
export const READ_ONLY = /^\s*SELECT\b/i;

/** Runs each piece of work after the one before has settled, in call order. */
function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work, work);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };
}

/** BEGIN, `fn`, then COMMIT, or ROLLBACK when `fn` fails or the context ends first. */
async function inTransaction<T>(worker: WorkerChannel, ctx: CallContext, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
  await worker.call('begin');
  const tx: SqlTx = {
    async query<R = SqlRow>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      throwIfDone(ctx);
      return worker.call<R[]>('txQuery', text, params);
    },
    async exec(script: string): Promise<void> {
      throwIfDone(ctx);
      await worker.call('txExec', script);
    },
  };
  let result: T;
  try {
    result = await fn(tx);
    if (Date.now() >= ctx.deadline || ctx.signal.aborted) throw contextError(ctx);
  } catch (error) {
    await worker.call('end', false).catch(() => undefined);
    throw error;
  }
  await worker.call('end', true);
  return result;
}
