/**
 * Named prepared statements on PGlite (used by pglite-worker). PGlite's own `query` parses,
 * describes and plans its text on every call; WASM PostgreSQL is slow at that, and for the
 * memory reads it was a third of the statement: the lexical fact statement took 1.19 ms p50
 * through `query` and 0.79 ms as a prepared statement (LoCoMo conv-26, in-process). Like
 * the PostgreSQL adapter, a known statement is parsed once per session under its name and
 * then only bound and executed, so PostgreSQL can keep a generic plan.
 */
import { type PGlite, type Results, parse, protocol } from '@electric-sql/pglite';

/** The messages of PGlite's wire protocol this module sends. */
const wire = protocol.serialize;

/**
 * SQLSTATEs after which a prepared statement is parsed again: it is gone (26000) or its
 * cached plan no longer fits the tables (0A000: a migration changed a result type).
 */
const REPREPARE = new Set(['26000', '0A000']);

/** Runs statements under their names on one PGlite session, preparing each on first use. */
export function createPreparedStatements(db: () => PGlite) {
  /** Statement name to its parameters' type OIDs, for the ones this session has parsed. */
  const prepared = new Map<string, number[]>();

  /** Sends protocol messages and always ends with Sync, as PGlite's own query does. */
  async function exchange(pg: PGlite, messages: Uint8Array[]) {
    const replies = [];
    try {
      for (const message of messages) replies.push(...(await pg.execProtocolStream(message, { syncToFs: false })));
    } finally {
      replies.push(...(await pg.execProtocolStream(wire.sync(), { syncToFs: false })));
    }
    return replies;
  }

  async function prepare(pg: PGlite, name: string, text: string): Promise<number[]> {
    const replies = await exchange(pg, [wire.parse({ name, text }), wire.describe({ type: 'S', name })]);
    const types = parse.parseDescribeStatementResults(replies);
    prepared.set(name, types);
    return types;
  }

  async function execute(pg: PGlite, name: string, text: string, params: readonly unknown[]): Promise<Results> {
    const types = prepared.get(name) ?? (await prepare(pg, name, text));
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pg.serializers[types[i] ?? 0];
      return serializer ? serializer(value) : String(value);
    });
    const replies = await exchange(pg, [
      wire.bind({ statement: name, values }),
      wire.describe({ type: 'P' }),
      wire.execute({}),
    ]);
    const [result] = parse.parseResults(replies, pg.parsers);
    return result ?? { rows: [], fields: [] };
  }

  return {
    /**
     * The rows of the statement `text` run under `name` with `params`; outside any
     * transaction the worker holds open (PGlite's exclusive lock is taken for it).
     */
    async query(name: string, text: string, params: readonly unknown[]): Promise<unknown[]> {
      const pg = db();
      return pg.runExclusive(async () => {
        let result: Results;
        try {
          result = await execute(pg, name, text, params);
        } catch (error) {
          if (!prepared.has(name) || !REPREPARE.has((error as { code?: string }).code ?? '')) throw error;
          await exchange(pg, [wire.close({ type: 'S', name })]);
          prepared.delete(name);
          result = await execute(pg, name, text, params);
        }
        // As PGlite's own query does after a statement outside a transaction.
        await pg.syncToFs();
        return result.rows;
      });
    },
    /** Forgets the session's statements (the database was closed). */
    clear(): void {
      prepared.clear();
    },
  };
}
