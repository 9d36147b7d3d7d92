/**
 * Giving a collection created before hybrid search its lexical side, on Milvus Lite: the
 * store's addLexical and `npm run reindex` (src/cli/reindex.ts), which rebuild the collection
 * with the BM25 schema from its stored rows.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openEmbeddedVectorStore } from '../../../src/adapters/embedded-vectors/embedded-vector-store';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import { collectionFields, vectorIndex } from '../../../src/adapters/milvus/milvus-schema';
import { backgroundContext } from '../../../src/domain/context';
import { requireService } from '../../support/require-service';
import { vectors } from './contract';

const address = requireService('milvus');
const prefix = `rx${randomBytes(4).toString('hex')}`;
const ctx = () => backgroundContext();
const DIM = 8;
const ROWS = 1234;
const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..');

let store: MilvusVectorStore;
const created: string[] = [];

/** A collection as recall created them before hybrid search: no analyzer, no sparse field, no BM25 function. */
async function legacyCollection(label: string): Promise<{ name: string; vectors: number[][] }> {
  const name = `${prefix}_${label}`;
  created.push(name);
  const { MilvusClient } = await import('@zilliz/milvus2-sdk-node');
  const client = new MilvusClient({ address, logLevel: 'error' });
  try {
    const res = await client.createCollection({
      collection_name: name,
      fields: collectionFields(DIM, false),
      index_params: [vectorIndex('HNSW')],
      consistency_level: 'Strong',
    });
    expect(res.error_code).toBe('Success');
  } finally {
    await client.closeConnection();
  }
  const vs = vectors(ROWS, 7, DIM);
  const rows = vs.map((vector, i) => ({
    id: `doc-${i}`,
    text: i === 777 ? 'the quarterly invoice reconciliation' : `ordinary text number ${i}`,
    metadata: { i },
    vector,
  }));
  for (let i = 0; i < rows.length; i += 500) await store.upsert(name, rows.slice(i, i + 500), ctx());
  return { name, vectors: vs };
}

const info = async (name: string) => (await store.listCollections(ctx())).find((c) => c.name === name);

beforeAll(() => {
  store = new MilvusVectorStore({ address, maxCallMs: 30_000 });
});
afterAll(async () => {
  for (const name of created) await store.dropCollection(name, ctx()).catch(() => undefined);
  await store.close();
});

describe('adding the lexical side to an existing collection (Milvus Lite)', () => {
  test('an old collection is dense-only and says so; addLexical rebuilds it with every row and its BM25 side', async () => {
    const { name, vectors: vs } = await legacyCollection('old');
    expect(await info(name)).toEqual({ name, count: ROWS, dimension: DIM, lexical: false });
    await expect(store.searchLexical(name, { text: 'invoice', limit: 5, filters: [] }, ctx())).resolves.toBeUndefined();

    await expect(store.addLexical(name, ctx())).resolves.toEqual({ added: true, documents: ROWS });

    expect(await info(name)).toEqual({ name, count: ROWS, dimension: DIM, lexical: true });
    const lexical = await store.searchLexical(name, { text: 'invoice reconciliation', limit: 5, filters: [] }, ctx());
    expect(lexical?.[0]).toMatchObject({ id: 'doc-777', metadata: { i: 777 } });
    const dense = await store.search(name, { vector: vs[42]!, limit: 1, filters: [] }, ctx());
    expect(dense[0]).toMatchObject({ id: 'doc-42', text: 'ordinary text number 42' });
    await expect(store.addLexical(name, ctx())).resolves.toEqual({ added: false, documents: ROWS });
  });

  test('npm run reindex does it from the command line and refuses a call without --collection', async () => {
    const { name } = await legacyCollection('cli');
    const env = { ...process.env, MILVUS_ADDRESS: address, LOG_LEVEL: 'silent' };
    const tsx = join(root, 'node_modules', '.bin', 'tsx');
    const { stdout } = await run(tsx, ['src/cli/reindex.ts', '--collection', name], { cwd: root, env });
    expect(stdout).toContain(`${name}: lexical side built from ${ROWS} stored documents`);
    // A new instance: this one describes a dense-only collection again only every 30 s.
    const fresh = new MilvusVectorStore({ address });
    try {
      expect((await fresh.listCollections(ctx())).find((c) => c.name === name)?.lexical).toBe(true);
    } finally {
      await fresh.close();
    }

    const usage = run(tsx, ['src/cli/reindex.ts'], { cwd: root, env });
    await expect(usage).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--collection is required') });
  });

  test('on the embedded store there is nothing to do: its collections are always lexical', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'recall-reindex-'));
    try {
      const embedded = await openEmbeddedVectorStore({ dir: join(dataDir, 'vectors') });
      await embedded.ensureCollection('docs', DIM, ctx());
      await embedded.upsert('docs', [{ id: 'a', text: 'alpha', metadata: {}, vector: vectors(1, 1, DIM)[0]! }], ctx());
      await embedded.close();
      const env = { ...process.env, MILVUS_ADDRESS: '', DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
      const tsx = join(root, 'node_modules', '.bin', 'tsx');
      const { stdout } = await run(tsx, ['src/cli/reindex.ts', '--collection', 'docs'], { cwd: root, env });
      expect(stdout).toContain('docs: already lexical (1 documents), nothing to do');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
