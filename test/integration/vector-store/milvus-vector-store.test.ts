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
import { vectorStoreContract } from './contract';

// The SDK's bulk writer pulls in thrift, which requires the ESM-only `uuid`; Node loads it,
// jest's CommonJS loader cannot. Nothing here writes parquet, so a stand-in is enough.
jest.mock('uuid', () => ({
  parse: () => {
    throw new Error('uuid is not available under jest');
  },
  stringify: () => {
    throw new Error('uuid is not available under jest');
  },
}));

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

  test('close is safe to call twice', async () => {
    const store = await open();
    await store.ping(backgroundContext());
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
