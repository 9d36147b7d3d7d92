import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { PGlite } from '@electric-sql/pglite';
import { type CallContext, contextError, throwIfDone } from '../../domain/context';
import { UnavailableError } from '../../domain/errors';
import { raceContext } from '../../domain/race-context';
import type { Metrics } from '../../observability/metrics';
import type { SqlClient, SqlRow, SqlTx } from '../sql/sql-client';
import { toDomainError } from '../sql/sql-errors';

/** Where PGlite keeps its files, and the metrics to record into. */
export interface PgliteClientOptions {
  /** Folder holding the database (created and initialised when empty); in memory when omitted. */
  dataDir?: string;
  metrics?: Metrics;
}

/** A SqlClient on an in-process PGlite database. */
export interface PgliteClient extends SqlClient {
  readonly kind: 'pglite';
  readonly dataDir: string | undefined;
}

/**
 * Opens (or creates: initdb takes several seconds) a PGlite database. PGlite is one session,
 * so every call runs alone, in arrival order; a call whose context ends while it waits never
 * starts. Statements cannot be interrupted once running (they block the event loop), so the
 * deadline is checked before each one.
 */
export async function openPgliteClient(options: PgliteClientOptions = {}): Promise<PgliteClient> {
  const { dataDir, metrics } = options;
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  let tail: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work, work);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

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
      return run(operation, ctx, async () => (await db.query<R>(text, params as unknown[])).rows);
    },
    transaction<T>(operation: string, ctx: CallContext, fn: (tx: SqlTx) => Promise<T>): Promise<T> {
      return run(operation, ctx, () =>
        db.transaction(async (t) => {
          const tx: SqlTx = {
            async query<R = SqlRow>(text: string, params: readonly unknown[] = []): Promise<R[]> {
              throwIfDone(ctx);
              return (await t.query<R>(text, params as unknown[])).rows;
            },
            async exec(script: string): Promise<void> {
              throwIfDone(ctx);
              await t.exec(script);
            },
          };
          const result = await fn(tx);
          if (Date.now() >= ctx.deadline || ctx.signal.aborted) throw contextError(ctx);
          return result;
        }),
      );
    },
    async ping(ctx: CallContext): Promise<void> {
      await run('ping', ctx, () => db.query('SELECT 1'));
    },
    breakerState: () => 'closed',
    close(): Promise<void> {
      closing ??= exclusive(() => db.close());
      return closing;
    },
  };
}
