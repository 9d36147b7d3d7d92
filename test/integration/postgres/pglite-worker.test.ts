/**
 * PGlite runs in a worker thread: a long statement leaves this thread free, errors keep
 * their domain class, and transactions stay atomic and one at a time.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { type PgliteClient, openPgliteClient } from '../../../src/adapters/pglite/pglite-client';
import { backgroundContext } from '../../../src/domain/context';
import { AlreadyExistsError, InvalidArgumentError, UnavailableError } from '../../../src/domain/errors';

const ctx = backgroundContext();
let client: PgliteClient;

beforeAll(async () => {
  client = await openPgliteClient();
  await client.query('setup', 'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)', [], ctx);
});

afterAll(async () => {
  await client?.close();
});

test('timers on this thread fire while a long statement runs', async () => {
  let done = false;
  const long = client
    .query<{ n: string }>('long', 'SELECT count(*)::text AS n FROM generate_series(1, 20000000)', [], ctx)
    .then((rows) => {
      done = true;
      return rows;
    });
  await nextTurn();
  await sleep(0);
  // In-process, PGlite would have held the loop until the statement ended.
  expect(done).toBe(false);
  expect(await long).toEqual([{ n: '20000000' }]);
});

test('errors from the worker keep their domain class and field', async () => {
  await client.query('insert', 'INSERT INTO items VALUES (1, $1)', ['one'], ctx);
  await expect(client.query('insert', 'INSERT INTO items VALUES (1, $1)', ['again'], ctx)).rejects.toBeInstanceOf(
    AlreadyExistsError,
  );
  const missing = await client
    .query('insert', 'INSERT INTO items VALUES (2, NULL)', [], ctx)
    .catch((error: unknown) => error);
  expect(missing).toBeInstanceOf(InvalidArgumentError);
  expect((missing as InvalidArgumentError).violations[0]?.field).toBe('name');
});

test('a failed transaction leaves nothing behind; transactions run one at a time', async () => {
  const failed = client.transaction('tx', ctx, async (tx) => {
    await tx.query('INSERT INTO items VALUES (10, $1)', ['ten']);
    await tx.query('INSERT INTO items VALUES (10, $1)', ['ten again']);
  });
  await expect(failed).rejects.toBeInstanceOf(AlreadyExistsError);
  expect(await client.query('read', 'SELECT id FROM items WHERE id = 10', [], ctx)).toEqual([]);

  await client.query('setup', 'CREATE TABLE counter (n int NOT NULL)', [], ctx);
  await client.query('setup', 'INSERT INTO counter VALUES (0)', [], ctx);
  // Read-modify-write with a pause between: only serialised transactions count to 20.
  await Promise.all(
    Array.from({ length: 20 }, () =>
      client.transaction('tx', ctx, async (tx) => {
        const [row] = await tx.query<{ n: number }>('SELECT n FROM counter');
        await nextTurn();
        await tx.query('UPDATE counter SET n = $1', [row!.n + 1]);
      }),
    ),
  );
  expect(await client.query('read', 'SELECT n FROM counter', [], ctx)).toEqual([{ n: 20 }]);
});

test('a closed client refuses calls as unavailable', async () => {
  const other = await openPgliteClient();
  await other.close();
  await other.close();
  await expect(other.query('read', 'SELECT 1', [], ctx)).rejects.toBeInstanceOf(UnavailableError);
});

test('counts the statements that may write when they are given, and no SELECT', async () => {
  const count = client.changes!;
  const before = count();
  await client.query('read', 'SELECT id FROM items WHERE id = $1', [1], ctx);
  await client.query('read', '  select 1', [], ctx);
  expect(count()).toBe(before);
  const writing = client.query('write', 'UPDATE items SET name = $1 WHERE id = 1', ['uno'], ctx);
  expect(count()).toBe(before + 1);
  await writing;
  await client.query(
    'write',
    'WITH d AS (DELETE FROM items WHERE id = -1 RETURNING 1) SELECT count(*) FROM d',
    [],
    ctx,
  );
  await client.transaction('tx', ctx, async (tx) => {
    await tx.query('SELECT 1');
  });
  expect(count()).toBe(before + 3);
});
