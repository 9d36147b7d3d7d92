/**
 * The embedded store run in a worker thread (the server's default): the same VectorStore
 * contract, the same files, the same directory lock, errors that keep their class, and a
 * thread that keeps serving while searches run.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EmbeddedVectorStore, ThreadedVectorStore } from '../../../src/adapters/embedded-vectors';
import { backgroundContext } from '../../../src/domain/context';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '../../../src/domain/errors';
import type { VectorRecord } from '../../../src/domain/ports';
import { vectorStoreContract, vectors } from './contract';

const ctx = backgroundContext();
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'recall-threaded-vectors-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function docs(count: number, seed: number, dimension = 16): VectorRecord[] {
  return vectors(count, seed, dimension).map((vector, i) => ({
    id: `d${i}`,
    text: `word${i % 50} common`,
    metadata: { i },
    vector,
  }));
}

describe('ThreadedVectorStore', () => {
  describe('contract', () => {
    vectorStoreContract({
      open: async (previous) => {
        await previous?.close();
        return ThreadedVectorStore.open({ dir: join(root, 'contract') });
      },
      collectionName: (label) => `${label}_${counter++}`,
      lexical: true,
    });
  });

  test('acknowledged writes are on disk: the in-process store reads them after close', async () => {
    const directory = join(root, 'durable');
    const store = await ThreadedVectorStore.open({ dir: directory });
    await store.ensureCollection('c', 16, ctx);
    await store.upsert('c', docs(20, 1), ctx);
    expect(await store.delete('c', ['d3', 'd4'], ctx)).toBe(2);
    await store.close();
    const reopened = await EmbeddedVectorStore.open({ dir: directory });
    expect((await reopened.listCollections(ctx))[0]?.count).toBe(18);
    await reopened.close();
  });

  test('a directory is opened by one store at a time, threaded or not', async () => {
    const directory = join(root, 'locked');
    const store = await ThreadedVectorStore.open({ dir: directory });
    await expect(ThreadedVectorStore.open({ dir: directory })).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(EmbeddedVectorStore.open({ dir: directory })).rejects.toBeInstanceOf(FailedPreconditionError);
    await store.close();
    const again = await ThreadedVectorStore.open({ dir: directory });
    await again.close();
  });

  test('errors raised in the worker keep their class, code and field', async () => {
    const store = await ThreadedVectorStore.open({ dir: join(root, 'errors') });
    await store.ensureCollection('c', 16, ctx);
    await expect(
      store.search('missing', { vector: vectors(1, 2, 16)[0]!, limit: 1, filters: [] }, ctx),
    ).rejects.toThrow(NotFoundError);
    const bad = await store.search('c', { vector: [], limit: 1, filters: [] }, ctx).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(InvalidArgumentError);
    expect((bad as InvalidArgumentError).violations[0]?.field).toBeTruthy();
    await store.close();
    await expect(store.ping(ctx)).rejects.toThrow('closed');
  });

  test('this thread keeps turning while the worker scans', async () => {
    const store = await ThreadedVectorStore.open({ dir: join(root, 'responsive') });
    await store.ensureCollection('big', 128, ctx);
    const records = docs(3000, 3, 128);
    for (let i = 0; i < records.length; i += 1000) await store.upsert('big', records.slice(i, i + 1000), ctx);
    const query = { vector: vectors(1, 4, 128)[0]!, limit: 10, filters: [] };
    let settled = 0;
    const searches = Array.from({ length: 100 }, (_, i) =>
      (i % 2 === 0
        ? store.search('big', query, ctx)
        : store.searchLexical('big', { text: 'common word7', limit: 10, filters: [] }, ctx)
      ).then((hits) => {
        settled++;
        return hits;
      }),
    );
    await nextTurn();
    // In-process, every scan would have run before this turn of the loop came round.
    expect(settled).toBeLessThan(searches.length);
    const results = await Promise.all(searches);
    expect(results.every((hits) => hits.length === 10)).toBe(true);
    await store.close();
  });
});

test('an idle worker never keeps a finished process alive, even when its store was never closed', async () => {
  const directory = join(root, 'forgotten');
  const source = resolve(__dirname, '../../../src/adapters/embedded-vectors');
  const script = `
    const { ThreadedVectorStore } = require(${JSON.stringify(source)});
    const ctx = { deadline: Number.POSITIVE_INFINITY, signal: new AbortController().signal };
    ThreadedVectorStore.open({ dir: ${JSON.stringify(directory)} })
      .then((store) => store.ensureCollection('c', 4, ctx))
      .then(() => console.log('opened'));
  `;
  const child = await run(resolve(__dirname, '../../../node_modules/.bin/tsx'), ['-e', script]);
  expect(child).toEqual({ code: 0, stdout: 'opened\n' });
});

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done, fail) => {
    execFile(command, args, { timeout: 50_000 }, (error, stdout) => {
      if (error?.killed) fail(new Error('the process did not exit by itself'));
      else done({ code: error ? (error.code as number) : 0, stdout });
    });
  });
}
