/**
 * The VectorStore contract against the embedded store, plus its durability: records survive
 * close and reopen, compaction, and a torn last log line; a directory opens only once.
 */
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedVectorStore } from '../../../src/adapters/embedded-vectors';
import { backgroundContext } from '../../../src/domain/context';
import { FailedPreconditionError } from '../../../src/domain/errors';
import type { VectorRecord } from '../../../src/domain/ports';
import { vectorStoreContract, vectors } from './contract';

const ctx = backgroundContext();
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'recall-vectors-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function docs(count: number, seed: number): VectorRecord[] {
  return vectors(count, seed, 16).map((vector, i) => ({ id: `d${i}`, text: `t${i}`, metadata: { i }, vector }));
}

describe('EmbeddedVectorStore', () => {
  describe('contract', () => {
    vectorStoreContract({
      open: async (previous) => {
        await previous?.close();
        return EmbeddedVectorStore.open({ dir: join(root, 'contract') });
      },
      collectionName: (label) => `${label}_${counter++}`,
      lexical: true,
    });
  });

  test('records, replacements and deletes survive close and reopen', async () => {
    const directory = join(root, 'persist');
    const first = await EmbeddedVectorStore.open({ dir: directory });
    await first.ensureCollection('c', 16, ctx);
    const records = docs(100, 1);
    await first.upsert('c', records, ctx);
    await first.upsert('c', [{ ...records[5]!, text: 'replaced' }], ctx);
    await first.delete('c', ['d0', 'd1'], ctx);
    await first.deleteWhere('c', [{ field: 'i', operator: 'gte', values: [90] }], ctx);
    await first.close();

    const second = await EmbeddedVectorStore.open({ dir: directory });
    expect(await second.listCollections(ctx)).toEqual([{ name: 'c', count: 88, dimension: 16, lexical: true }]);
    const hits = await second.search('c', { vector: records[5]!.vector, limit: 1, filters: [] }, ctx);
    expect(hits[0]).toMatchObject({ id: 'd5', text: 'replaced', metadata: { i: 5 } });
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    await second.close();
  });

  test('compaction rewrites the log into a snapshot without losing anything', async () => {
    const directory = join(root, 'compact');
    const store = await EmbeddedVectorStore.open({ dir: directory, compactMinBytes: 1 });
    await store.ensureCollection('c', 16, ctx);
    const records = docs(50, 2);
    for (let i = 0; i < 50; i += 10) await store.upsert('c', records.slice(i, i + 10), ctx);
    await store.delete('c', ['d3'], ctx);
    await store.close();
    const snapshot = (await stat(join(directory, 'c', 'snapshot.jsonl'))).size;
    expect(snapshot).toBeGreaterThan(0);
    expect((await stat(join(directory, 'c', 'log.jsonl'))).size).toBeLessThan(snapshot);

    const reopened = await EmbeddedVectorStore.open({ dir: directory });
    expect((await reopened.listCollections(ctx))[0]?.count).toBe(49);
    const hits = await reopened.search('c', { vector: records[42]!.vector, limit: 1, filters: [] }, ctx);
    expect(hits[0]?.id).toBe('d42');
    await reopened.close();
  });

  test('a torn last log line (a crash mid-write) is dropped on open', async () => {
    const directory = join(root, 'torn');
    const store = await EmbeddedVectorStore.open({ dir: directory });
    await store.ensureCollection('c', 16, ctx);
    await store.upsert('c', docs(3, 3), ctx);
    await store.close();
    await appendFile(join(directory, 'c', 'log.jsonl'), '{"u":"half","t":"');

    const reopened = await EmbeddedVectorStore.open({ dir: directory });
    expect((await reopened.listCollections(ctx))[0]?.count).toBe(3);
    await reopened.upsert('c', [{ id: 'after', text: '', metadata: {}, vector: vectors(1, 9, 16)[0]! }], ctx);
    await reopened.close();
    const again = await EmbeddedVectorStore.open({ dir: directory });
    expect((await again.listCollections(ctx))[0]?.count).toBe(4);
    await again.close();
  });

  test('a directory is opened by one store at a time', async () => {
    const directory = join(root, 'locked');
    const store = await EmbeddedVectorStore.open({ dir: directory });
    await expect(EmbeddedVectorStore.open({ dir: directory })).rejects.toBeInstanceOf(FailedPreconditionError);
    await store.close();
    const again = await EmbeddedVectorStore.open({ dir: directory });
    await again.close();
    expect(await readdir(directory)).toEqual([]);
  });
});
