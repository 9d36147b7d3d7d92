/**
 * The VectorStore contract and read consistency against a real Milvus: the 2.3 standalone
 * server started by the jest global set-up (scripts/milvus-standalone.sh). Milvus Lite reads
 * every write at once whatever the consistency level; a real Milvus serves a Bounded read
 * from data up to its gracefulTime (5 s) old, so only here can a read miss a write.
 */
import { randomBytes } from 'node:crypto';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import type { ConsistencyLevel } from '../../../src/adapters/milvus/read-consistency';
import { backgroundContext } from '../../../src/domain/context';
import { FailedPreconditionError } from '../../../src/domain/errors';
import type { VectorStore } from '../../../src/domain/ports';
import { requireService } from '../../support/require-service';
import { vectorStoreContract, vectors } from './contract';

const address = requireService('milvus-standalone');
const prefix = `s${randomBytes(4).toString('hex')}`;
const created: string[] = [];
const ctx = () => backgroundContext();

function collectionName(label: string): string {
  const name = `${prefix}_${label}_${created.length}`;
  created.push(name);
  return name;
}

function storeWith(consistency?: ConsistencyLevel): MilvusVectorStore {
  return new MilvusVectorStore({ address, maxCallMs: 30_000, ...(consistency && { consistency }) });
}

afterAll(async () => {
  const store = storeWith();
  try {
    for (const name of created) await store.dropCollection(name, ctx()).catch(() => undefined);
  } finally {
    await store.close();
  }
});

describe('MilvusVectorStore (Milvus 2.3 standalone)', () => {
  vectorStoreContract({
    open: async (previous?: VectorStore) => {
      await previous?.close();
      return storeWith();
    },
    collectionName,
    // 2.3 has no BM25 function: its collections are dense-only and lexical searches say so.
    lexical: false,
  });

  test('npm run reindex cannot add a lexical side here: FailedPrecondition, the collection untouched', async () => {
    const store = storeWith();
    try {
      const name = collectionName('reindex');
      await store.ensureCollection(name, 8, ctx());
      const doc = { id: 'a', text: 'alpha', metadata: {}, vector: vectors(1, 5)[0]! };
      await store.upsert(name, [doc], ctx());
      await expect(store.addLexical(name, ctx())).rejects.toBeInstanceOf(FailedPreconditionError);
      expect((await store.listCollections(ctx())).find((c) => c.name === name)).toMatchObject({
        count: 1,
        lexical: false,
      });
    } finally {
      await store.close();
    }
  });

  describe('read consistency', () => {
    const DIM = 8;
    const docs = vectors(12, 77, DIM).map((vector, i) => ({ id: `d${i}`, text: `doc ${i}`, metadata: {}, vector }));

    /** A collection both stores know, so neither pays a describe on the reads measured. */
    async function shared(label: string, ...stores: MilvusVectorStore[]): Promise<string> {
      const name = collectionName(label);
      for (const store of stores) await store.ensureCollection(name, DIM, ctx());
      return name;
    }

    async function nearest(
      store: MilvusVectorStore,
      collection: string,
      vector: number[],
    ): Promise<string | undefined> {
      return (await store.search(collection, { vector, limit: 1, filters: [] }, ctx()))[0]?.id;
    }

    test('session (the default): each write is found by the writer’s very next search and scan', async () => {
      const writer = storeWith();
      try {
        const name = await shared('session', writer);
        for (const doc of docs) {
          await writer.upsert(name, [doc], ctx());
          expect(await nearest(writer, name, doc.vector)).toBe(doc.id);
        }
        expect((await writer.scan(name, 100, ctx())).map((r) => r.id).sort()).toEqual(docs.map((d) => d.id).sort());
      } finally {
        await writer.close();
      }
    });

    test('session: a delete is visible to the deleter’s next search', async () => {
      const writer = storeWith();
      try {
        const name = await shared('session_delete', writer);
        await writer.upsert(name, docs, ctx());
        for (const doc of docs.slice(0, 4)) {
          expect(await writer.delete(name, [doc.id], ctx())).toBe(1);
          expect(await nearest(writer, name, doc.vector)).not.toBe(doc.id);
        }
      } finally {
        await writer.close();
      }
    });

    test('strong: another process’s write is found at once', async () => {
      const writer = storeWith();
      const reader = storeWith('strong');
      try {
        const name = await shared('strong', writer, reader);
        for (const doc of docs.slice(0, 6)) {
          await writer.upsert(name, [doc], ctx());
          expect(await nearest(reader, name, doc.vector)).toBe(doc.id);
        }
      } finally {
        await Promise.all([writer.close(), reader.close()]);
      }
    });
  });
});
