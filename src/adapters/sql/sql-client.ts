import type { BreakerStateName } from '../../domain/breaker';
/**
 * The small SQL port the repositories and the migration runner are written against. Two
 * implementations run the same SQL text: PostgreSQL through a `pg` pool and PGlite in-process.
 */
import type { CallContext } from '../../domain/context';

/** A row as returned by the driver: column name to parsed value. */
export type SqlRow = Record<string, unknown>;

/** Statements inside one transaction; any rejection rolls the transaction back. */
export interface SqlTx {
  /** One parameterised statement ($1, $2, ...); resolves to its rows. */
  query<R = SqlRow>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of one or more statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/**
 * A database the repositories can talk to. Errors are domain errors: AlreadyExistsError for
 * unique violations, InvalidArgumentError for bad values, UnavailableError when the database
 * cannot be reached (or its breaker is open), DeadlineExceededError / CancelledError when the
 * caller's context ends first. `operation` labels `db_query_duration_seconds`.
 */
export interface SqlClient {
  readonly kind: 'postgres' | 'pglite';
  /** One parameterised statement, outside any explicit transaction. */
  query<R = SqlRow>(operation: string, text: string, params: readonly unknown[], ctx: CallContext): Promise<R[]>;
  /** Runs `fn` in one transaction on one connection: committed if it resolves, rolled back if not. */
  transaction<T>(operation: string, ctx: CallContext, fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query. */
  ping(ctx: CallContext): Promise<void>;
  /** Closes every connection; safe to call twice. */
  close(): Promise<void>;
  /** State of the breaker in front of the database (`closed` for PGlite, which has none). */
  breakerState(): BreakerStateName;
  /**
   * How many statements that may write (every transaction, every statement but a SELECT) this
   * client has been given, counted when given. Only a client that owns its database has it
   * (PGlite: DATA_DIR is locked to one process), so nothing can change the data unseen while
   * the count stands still; undefined for PostgreSQL, which other replicas share.
   */
  readonly changes?: () => number;
}
