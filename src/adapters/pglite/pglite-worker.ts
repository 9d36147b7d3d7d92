/**
 * The worker thread that owns the PGlite database (see pglite-client): the parent sends one
 * request at a time, and a transaction is begun, fed statements and ended by separate
 * requests, so PGlite's own transaction (BEGIN, then COMMIT or ROLLBACK) wraps them.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { serveRequests } from '../threads/serve-requests';
import { createPreparedStatements } from './pglite-prepared';

/** Thrown inside PGlite's transaction callback to roll it back; never leaves this worker. */
class Rollback extends Error {}

interface OpenTransaction {
  tx: Transaction;
  finish(commit: boolean): void;
  done: Promise<void>;
}

let db: PGlite | undefined;
let current: OpenTransaction | undefined;
const prepared = createPreparedStatements(database);

function database(): PGlite {
  if (!db) throw new Error('pglite is not open');
  return db;
}

function transaction(): Transaction {
  if (!current) throw new Error('no pglite transaction is open');
  return current.tx;
}

async function begin(): Promise<void> {
  if (current) throw new Error('a pglite transaction is already open');
  let started!: (tx: Transaction) => void;
  let finish!: (commit: boolean) => void;
  const ready = new Promise<Transaction>((resolve) => {
    started = resolve;
  });
  const ended = new Promise<boolean>((resolve) => {
    finish = resolve;
  });
  const done = database().transaction(async (tx) => {
    started(tx);
    if (!(await ended)) throw new Rollback();
  });
  const outcome = done.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    },
  );
  outcome.catch(() => undefined); // awaited by end(); never an unhandled rejection meanwhile
  // BEGIN failing rejects `done` before the callback runs.
  const tx = await Promise.race([ready, done.then(() => undefined)]);
  if (!tx) throw new Error('pglite transaction ended before it began');
  current = { tx, finish, done: outcome };
}

async function end(commit: boolean): Promise<void> {
  const open = current;
  if (!open) throw new Error('no pglite transaction is open');
  current = undefined;
  open.finish(commit);
  await open.done;
}

serveRequests({
  async open(dataDir: string | undefined): Promise<void> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    db = await PGlite.create(dataDir ? { dataDir } : {});
  },
  /** A statement outside a transaction; one with a `name` runs as a named prepared statement. */
  async query(text: string, params: unknown[], name?: string): Promise<unknown[]> {
    if (name) return prepared.query(name, text, params);
    return (await database().query(text, params)).rows;
  },
  begin,
  async txQuery(text: string, params: unknown[]): Promise<unknown[]> {
    return (await transaction().query(text, params)).rows;
  },
  async txExec(script: string): Promise<void> {
    await transaction().exec(script);
  },
  end,
  async close(): Promise<void> {
    await db?.close();
    db = undefined;
    prepared.clear();
  },
});
