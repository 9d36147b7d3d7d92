/**
 * The VectorStore contract against Milvus Lite (started by the jest global set-up), plus
 * what only a networked Milvus can get wrong: an unreachable server and short deadlines.
 */
import { randomBytes } from 'node:crypto';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import { backgroundContext, contextWithTimeout } from '../../../src/domain/context';
import { UnavailableError } from '../../../src/domain/errors';
import type { VectorStore } from '../../../src/domain/ports';
import { requireService } from '../../support/require-service';
import { vectorStoreContract, vectors } from './contract';

const address = requireService('milvus');
const prefix = `t${randomBytes(4).toString('hex')}`;
const created: string[] = [];

async function open(previous?: VectorStore): Promise<MilvusVectorStore> {
  await previous?.close();
  return new MilvusVectorStore({ address, maxCallMs: 15_000 });
}

afterAll(async () => {
  const store = await open();
  try {
    for (const name of created) await store.dropCollection(name, backgroundContext()).catch(() => undefined);
  } finally {
    await store.close();
  }
});

describe('MilvusVectorStore (Milvus Lite)', () => {
  vectorStoreContract({
    open,
    collectionName: (label) => {
      const name = `${prefix}_${label}_${created.length}`;
      created.push(name);
      return name;
    },
    lexical: true,
    // Measured: Lite 3.2.2 takes the English stemmer filter and indexes words unstemmed.
    stems: false,
    // Measured: Lite 3.2.2 tokenises with \w+ (a Han run is one token, emoji none) and has no
    // other tokenizer but jieba, which needs a package its environment does not have.
    segmentsCjk: false,
  });

  test('an unreachable server is Unavailable, quickly', async () => {
    const store = new MilvusVectorStore({ address: '127.0.0.1:1', maxCallMs: 2_000 });
    try {
      const started = Date.now();
      await expect(store.ping(backgroundContext())).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.listCollections(contextWithTimeout(1_000))).rejects.toBeInstanceOf(UnavailableError);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await store.close();
    }
  });

  test('flushAfterRows flushes as rows accumulate, and reads still see every write', async () => {
    const store = new MilvusVectorStore({ address, flushAfterRows: 20 });
    const name = `${prefix}_flush_${created.length}`;
    created.push(name);
    try {
      await store.ensureCollection(name, 8, backgroundContext());
      const docs = vectors(50, 11).map((vector, i) => ({ id: `f${i}`, text: '', metadata: {}, vector }));
      for (let i = 0; i < 50; i += 10) await store.upsert(name, docs.slice(i, i + 10), backgroundContext());
      await store.flush(name, backgroundContext());
      const hits = await store.search(name, { vector: docs[33]!.vector, limit: 1, filters: [] }, backgroundContext());
      expect(hits[0]?.id).toBe('f33');
      expect((await store.listCollections(backgroundContext())).find((c) => c.name === name)?.count).toBe(50);
    } finally {
      await store.close();
    }
  });

  test('replicas starting together both ensure the same new collection (regression: one got CANCELLED)', async () => {
    const replicas = [await open(), await open(), await open()];
    try {
      for (let round = 0; round < 3; round++) {
        const name = `${prefix}_together_${created.length}`;
        created.push(name);
        await Promise.all(replicas.map((store) => store.ensureCollection(name, 8, contextWithTimeout(30_000))));
        const listed = await replicas[0]!.listCollections(backgroundContext());
        expect(listed.filter((c) => c.name === name)).toHaveLength(1);
      }
    } finally {
      for (const store of replicas) await store.close();
    }
  });

  test('close is safe to call twice', async () => {
    const store = await open();
    await store.ping(backgroundContext());
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
