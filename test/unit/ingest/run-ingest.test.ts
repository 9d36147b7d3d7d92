import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { readLines } from '../../../src/cli/ingest/read-lines';
import { type IngestRunOptions, runIngest } from '../../../src/cli/ingest/run-ingest';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { DIMENSION, fakeSearchService, grpcError, unavailable } from './fake-search-service';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'ingest-sample.jsonl');
const OPTIONS: IngestRunOptions = {
  batchSize: 3,
  maxBatchBytes: 1024 * 1024,
  concurrency: 2,
  retryPolicy: { retries: 3, baseDelayMs: 1, maxDelayMs: 2 },
};

const doc = (id: string, text = `text of ${id}`, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, text, ...extra });
const linesOf = (lines: string[]) => readLines(Readable.from([`${lines.join('\n')}\n`]));
const many = (n: number) => Array.from({ length: n }, (_, i) => doc(`d${i + 1}`));

describe('runIngest', () => {
  it('loads every valid line and names each bad one with its line number and reason', async () => {
    const service = fakeSearchService();
    const report = await runIngest(readLines(createReadStream(FIXTURE)), OPTIONS, { upsert: service.upsert });

    expect(report.problems.map((p) => [p.lineNumber, p.kind])).toEqual(
      expect.arrayContaining([
        [3, 'invalid'],
        [4, 'invalid'],
        [6, 'invalid'],
        [7, 'invalid'],
        [9, 'rejected'],
        [11, 'invalid'],
      ]),
    );
    expect(report.problems).toHaveLength(6);
    const reasons = Object.fromEntries(report.problems.map((p) => [p.lineNumber, p.reason]));
    expect(reasons[3]).toMatch(/malformed JSON/);
    expect(reasons[4]).toBe('text: is required');
    expect(reasons[6]).toBe('id: must be 1-256 bytes as UTF-8, got 300 bytes');
    expect(reasons[7]).toBe('vector[1]: must be a finite number, got "0.2"');
    expect(reasons[9]).toBe(`vector: must have ${DIMENSION} dimensions, not 3 (server)`);
    expect(reasons[11]).toBe('metadata: must be a JSON object');
    expect([...service.stored.keys()].sort()).toEqual(['faq-1', 'inv-1', 'inv-2', 'ship-1', 'ship-2']);
    expect(service.stored.get('inv-1')?.metadata).toEqual({ lang: 'en', year: 2024 });
    expect(report).toMatchObject({ linesRead: 12, blankLines: 1, loaded: 5, invalid: 5, rejected: 1, failed: 0 });
    expect(report.exitCode).toBe(1);
    expect(report.format('docs')).toContain('line 9: rejected: vector: must have 4 dimensions, not 3 (server)');
  });

  it('sends a batch again without the documents the server named, mapping indexes back to lines', async () => {
    const service = fakeSearchService();
    const vector = (n: number) => ({ vector: Array.from({ length: n }, () => 0.5) });
    const report = await runIngest(
      linesOf([doc('a'), doc('b', 'b', vector(2)), doc('c', 'c', vector(DIMENSION)), doc('d', 'd', vector(7))]),
      { ...OPTIONS, batchSize: 10 },
      { upsert: service.upsert },
    );
    expect(service.calls.map((batch) => batch.map((d) => d.id))).toEqual([
      ['a', 'b', 'c', 'd'],
      ['a', 'c'],
    ]);
    expect(report.problems).toEqual([
      { lineNumber: 2, kind: 'rejected', reason: 'vector: must have 4 dimensions, not 2 (server)' },
      { lineNumber: 4, kind: 'rejected', reason: 'vector: must have 4 dimensions, not 7 (server)' },
    ]);
    expect(report.loaded).toBe(2);
  });

  it('stops when the server refuses the request as a whole, counting nothing as loaded', async () => {
    const service = fakeSearchService(() => {
      throw grpcError(InvalidArgumentError.of('collection', 'is reserved'));
    });
    const report = await runIngest(linesOf(many(50)), { ...OPTIONS, concurrency: 1 }, { upsert: service.upsert });
    expect(report.loaded).toBe(0);
    expect(report.stoppedReason).toBe('INVALID_ARGUMENT: collection: is reserved');
    expect(report.stoppedAtLine).toBeLessThan(50);
    expect(service.calls).toHaveLength(1);
    expect(report.exitCode).toBe(1);
  });

  it('retries UNAVAILABLE with backoff and loads the batch once the service is back', async () => {
    const service = fakeSearchService((_docs, call) => {
      if (call <= 2) throw unavailable();
    });
    const report = await runIngest(linesOf(many(3)), OPTIONS, { upsert: service.upsert });
    expect(report).toMatchObject({ loaded: 3, retries: 2, batches: 1, failed: 0 });
    expect(report.exitCode).toBe(0);
  });

  it('gives up after the bounded retries, stops reading, and reports unacknowledged lines as failed', async () => {
    const service = fakeSearchService(() => {
      throw unavailable();
    });
    const report = await runIngest(linesOf(many(1000)), { ...OPTIONS, batchSize: 10 }, { upsert: service.upsert });
    expect(report.loaded).toBe(0);
    expect(report.stoppedReason).toMatch(/^UNAVAILABLE after 3 retries/);
    expect(report.stoppedAtLine).toBeLessThan(100);
    expect(report.failed).toBeGreaterThanOrEqual(10);
    expect(report.failed).toBe(report.linesRead);
    expect(report.format('docs')).toMatch(/^lines [\d, -]+: failed: UNAVAILABLE after 3 retries: connection refused$/m);
  });

  it('counts as loaded only the batches that were acknowledged', async () => {
    const service = fakeSearchService((_docs, call) => {
      if (call === 3) throw grpcError(new Error('disk full'));
    });
    const report = await runIngest(
      linesOf(many(30)),
      { ...OPTIONS, batchSize: 5, concurrency: 1 },
      { upsert: service.upsert },
    );
    expect(report.loaded).toBe(service.stored.size);
    expect(report.loaded).toBe(10);
    expect(report.stoppedReason).toBe('INTERNAL: internal error');
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    const service = fakeSearchService(() => sleep(2));
    const report = await runIngest(
      linesOf(many(200)),
      { ...OPTIONS, batchSize: 5, concurrency: 3 },
      { upsert: service.upsert },
    );
    expect(report.loaded).toBe(200);
    expect(service.maxInFlight).toBe(3);
  });

  it('keeps the later line of a repeated id, inside one batch and across concurrent batches', async () => {
    const service = fakeSearchService((docs) => (docs.some((d) => d.text === 'first') ? sleep(30) : undefined));
    const report = await runIngest(
      linesOf([doc('a', 'first'), doc('b'), doc('c'), doc('a', 'second'), doc('e'), doc('e', 'last e')]),
      { ...OPTIONS, batchSize: 3, concurrency: 2 },
      { upsert: service.upsert },
    );
    expect(service.stored.get('a')?.text).toBe('second');
    expect(service.stored.get('e')?.text).toBe('last e');
    expect(service.calls.map((batch) => batch.map((d) => d.id))).toEqual([
      ['a', 'b', 'c'],
      ['a', 'e'],
    ]);
    expect(report).toMatchObject({ duplicates: 2, superseded: 1, loaded: 5 });
    expect(report.warnings).toEqual([
      'line 4: id "a" also on line 1; the later line wins',
      'line 6: id "e" also on line 5; the later line wins',
    ]);
    expect(report.exitCode).toBe(0);
  });

  it('on interrupt stops reading and lets the batch in flight finish', async () => {
    const interrupt = new AbortController();
    const service = fakeSearchService(async () => {
      interrupt.abort();
      await sleep(10);
    });
    const report = await runIngest(
      linesOf(many(100)),
      { ...OPTIONS, batchSize: 10, concurrency: 1 },
      { upsert: service.upsert, interrupt: interrupt.signal },
    );
    expect(service.calls).toHaveLength(1);
    expect(report.loaded).toBe(10);
    expect(report.stoppedReason).toBe('interrupted');
    expect(report.linesRead).toBeLessThan(100);
    expect(report.format('docs')).toMatch(/stopped after line \d+: interrupted; later lines were not read/);
  });

  it('skips blank lines and a byte-order mark, and reads CRLF files', async () => {
    const service = fakeSearchService();
    const report = await runIngest(readLines(Readable.from([`\uFEFF${doc('a')}\r\n\r\n${doc('b')}\r\n`])), OPTIONS, {
      upsert: service.upsert,
    });
    expect(report).toMatchObject({ linesRead: 3, blankLines: 1, loaded: 2, invalid: 0 });
  });
});
