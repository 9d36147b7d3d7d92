/**
 * Measures search latency of the vector stores at growing sizes (not a test; run by hand):
 *
 *   npx tsx test/integration/vector-store/measure-latency.ts [--sizes 1000,10000] [--dim 384]
 *       [--queries 50] [--milvus HOST:PORT [--flush-after ROWS]]
 *
 * Without --milvus it measures the embedded store (in a temporary directory, removed after);
 * with it, the Milvus server at that address (collections are dropped after). Prints one line
 * per size: ingest time, search p50/p95 without and with a metadata filter, and for the
 * embedded store the time to reopen (replay from disk).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedVectorStore } from '../../../src/adapters/embedded-vectors';
import { MilvusVectorStore } from '../../../src/adapters/milvus';
import { backgroundContext } from '../../../src/domain/context';
import type { MetadataFilter, VectorStore } from '../../../src/domain/ports';
import { vectors } from './contract';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,50000,100000' },
    dim: { type: 'string', default: '384' },
    queries: { type: 'string', default: '50' },
    milvus: { type: 'string' },
    'flush-after': { type: 'string' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const dim = Number(args.dim);
const queries = Number(args.queries);
const ctx = backgroundContext();
const FILTER: MetadataFilter[] = [{ field: 'tenant', operator: 'eq', values: ['t3'] }];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timeSearches(store: VectorStore, name: string, filters: MetadataFilter[]): Promise<string> {
  const samples: number[] = [];
  for (const [i, vector] of vectors(queries, 7_000, dim).entries()) {
    const started = process.hrtime.bigint();
    const hits = await store.search(name, { vector, limit: 10, filters }, ctx);
    if (i === 0 && hits.length === 0) throw new Error('search found nothing');
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return `p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms`;
}

async function fill(store: VectorStore, name: string, size: number): Promise<number> {
  const started = Date.now();
  await store.ensureCollection(name, dim, ctx);
  for (let offset = 0; offset < size; offset += 1000) {
    const batch = vectors(Math.min(1000, size - offset), offset + 1, dim).map((vector, i) => ({
      id: `doc-${offset + i}`,
      text: `document ${offset + i}`,
      metadata: { tenant: `t${(offset + i) % 10}`, n: offset + i },
      vector,
    }));
    await store.upsert(name, batch, ctx);
  }
  return Date.now() - started;
}

async function main(): Promise<void> {
  const label = args.milvus ? `milvus ${args.milvus}` : 'embedded';
  console.log(`${label}: dimension ${dim}, ${queries} queries per size, limit 10`);
  for (const size of sizes) {
    const name = `latency_${size}_${Date.now()}`;
    let line: string;
    if (args.milvus) {
      const flushAfterRows = args['flush-after'] ? { flushAfterRows: Number(args['flush-after']) } : {};
      const store = new MilvusVectorStore({ address: args.milvus, maxCallMs: 60_000, ...flushAfterRows });
      try {
        const ingest = await fill(store, name, size);
        line = `ingest ${ingest} ms | search ${await timeSearches(store, name, [])} | filtered ${await timeSearches(store, name, FILTER)}`;
      } finally {
        await store.dropCollection(name, ctx).catch(() => undefined);
        await store.close();
      }
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'recall-latency-'));
      try {
        const store = await EmbeddedVectorStore.open({ dir });
        const ingest = await fill(store, name, size);
        await store.close();
        const reopenStarted = Date.now();
        const reopened = await EmbeddedVectorStore.open({ dir });
        await reopened.listCollections(ctx);
        const reopen = Date.now() - reopenStarted;
        const heap = Math.round(process.memoryUsage().rss / 2 ** 20);
        line = `ingest ${ingest} ms | reopen ${reopen} ms | search ${await timeSearches(reopened, name, [])} | filtered ${await timeSearches(reopened, name, FILTER)} | rss ${heap} MiB`;
        await reopened.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    console.log(`${String(size).padStart(7)} docs: ${line}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
