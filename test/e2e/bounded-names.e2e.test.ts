import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { SearchRequest } from '../../src/gen/recall/v1/search';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/**
 * Regression: every Search naming a collection that does not exist created a circuit breaker
 * and ~27 metric series that were never released (20,000 calls: /metrics 0.6 → 54 MB). The
 * built server on the embedded default is hammered with thousands of unknown names; /metrics
 * and the collections' breakers must stay as they were.
 */
describe('state kept per caller-chosen name, on the built server', () => {
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-names-'));
    server = await startServerProcess({ DATA_DIR: dataDir });
    clients = connectClients(server.grpcAddress);
  });

  afterAll(async () => {
    clients?.search.close();
    clients?.memory.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const metricsText = async () => (await fetch(`${server.metricsUrl}/metrics`)).text();
  const breakerSeries = (text: string) => text.split('\n').filter((l) => l.startsWith('recall_circuit_breaker_state{'));

  const searchUnknown = async (from: number, count: number) => {
    const names = Array.from({ length: count }, (_, i) => `unknown_${from + i}`);
    // A few at a time: the point is many names, not load.
    for (let i = 0; i < names.length; i += 16) {
      const codes = await Promise.all(
        names
          .slice(i, i + 16)
          .map((name) =>
            statusOf(clients.search.search(SearchRequest.fromPartial({ query: 'q', collections: [name] }))),
          ),
      );
      expect(new Set(codes)).toEqual(new Set([status.NOT_FOUND]));
    }
  };

  it('keeps /metrics size and the breaker series flat over 5,000 unknown collection names', async () => {
    await clients.search.upsertDocuments({
      collection: 'docs',
      documents: [{ id: 'a', text: 'a real document', metadata: {}, vector: [] }],
    });
    await searchUnknown(0, 200);
    const before = await metricsText();

    await searchUnknown(200, 5_000);

    const after = await metricsText();
    expect(after).not.toMatch(/="unknown_\d/);
    expect(breakerSeries(after)).toEqual(breakerSeries(before));
    // Counters and histogram sums grow by a few digits; a series per name would be ~2 KB each.
    // The runtime's GC histogram gains a series per GC kind the first time one runs, which
    // depends on the heap, not on the names: it is left out.
    const withoutGc = (text: string) =>
      text
        .split('\n')
        .filter((line) => !/^nodejs_gc_duration_seconds/.test(line))
        .join('\n');
    const [sizeBefore, sizeAfter] = [withoutGc(before).length, withoutGc(after).length];
    expect(Math.abs(sizeAfter - sizeBefore) / sizeBefore).toBeLessThan(0.01);
    const { collections } = await clients.search.listCollections({});
    expect(collections.map((c) => c.name)).toEqual(['docs']);
  });
});
