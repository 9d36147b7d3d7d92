import { connectClients } from '../../../harness/grpc-clients';
import { SearchRequest } from '../../../src/gen/recall/v1/search';

const DOCS = [
  'PostgreSQL keeps the memory tables: facts, conversations and user statistics',
  'Milvus stores one collection per document set, searched in parallel',
  'The reranker is skipped when the best dense score is above the early-exit threshold',
  'Prometheus scrapes the metrics sidecar on port 9464',
];

/** Seeds two collections and a golden answer, so searches exercise fan-out, early exit and golden answers. */
export async function seedCorpus(clients: ReturnType<typeof connectClients>): Promise<void> {
  for (const collection of ['docs', 'faq']) {
    await clients.search.upsertDocuments({
      collection,
      documents: DOCS.map((text, i) => ({ id: `${collection}-${i}`, text, metadata: { n: i }, vector: [] })),
    });
  }
  await clients.search.upsertGoldenAnswer({
    id: '',
    question: 'Where does recall expose its metrics?',
    answer: 'On the sidecar, METRICS_PORT (9464) /metrics',
    sources: ['docs-3'],
  });
}

/**
 * A steady mix of calls until `stop()`: searches (an exact document text for an early exit, a
 * vague query, the golden question), memory reads and writes, and a malformed call. Failures
 * are counted, not thrown: the test stops the database under this load.
 */
export function driveTraffic(address: string) {
  const clients = connectClients(address);
  let running = true;
  const counts = { ok: 0, failed: 0 };
  const search = (query: string) =>
    clients.search.search(SearchRequest.fromPartial({ query, collections: ['docs', 'faq'], limit: 5 }), {
      timeoutMs: 3_000,
    });
  const round = (i: number) => [
    search(DOCS[i % DOCS.length]!),
    search('how does it decide what to rerank'),
    search('Where does recall expose its metrics?'),
    clients.memory.addFacts(
      { userId: `user-${i % 5}`, facts: [{ content: `fact ${i}`, source: 'ops', confidence: 0.5 }] },
      { timeoutMs: 3_000 },
    ),
    clients.memory.listFacts({ userId: `user-${i % 5}`, pageSize: 10, pageToken: '' }, { timeoutMs: 3_000 }),
    clients.memory.getUserStats({ userId: `user-${i % 5}` }, { timeoutMs: 3_000 }),
    clients.memory.listFacts({ userId: '', pageSize: 10, pageToken: '' }, { timeoutMs: 3_000 }),
  ];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const results = await Promise.allSettled(round(i));
      for (const r of results) counts[r.status === 'fulfilled' ? 'ok' : 'failed'] += 1;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    counts,
    async stop() {
      running = false;
      await loop;
      clients.search.close();
      clients.memory.close();
    },
  };
}
