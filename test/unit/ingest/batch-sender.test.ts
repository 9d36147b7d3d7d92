import { status } from '@grpc/grpc-js';
import { type UpsertBatch, createBatchSender } from '../../../src/cli/ingest/batch-sender';
import { type BatchSizer, createBatchSizer } from '../../../src/cli/ingest/batch-sizer';
import { IngestReport } from '../../../src/cli/ingest/ingest-report';
import type { RetryPolicy } from '../../../src/cli/ingest/retry-policy';
import type { BatchEntry } from '../../../src/cli/ingest/upload-queue';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { grpcError, unavailable } from './fake-search-service';

const POLICY: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 300 };

/** Entries for lines 10, 11, ... with ids d0, d1, ... */
const entries = (n: number): BatchEntry[] =>
  Array.from({ length: n }, (_, i) => ({ lineNumber: 10 + i, document: { id: `d${i}`, text: `t${i}`, vector: [] } }));

const deadlineExceeded = () =>
  Object.assign(new Error('4 DEADLINE_EXCEEDED: deadline exceeded'), {
    code: status.DEADLINE_EXCEEDED,
    details: 'deadline exceeded',
  });

/** A sender over an upsert that answers each call with the next outcome (an error to throw, or OK). */
function harness(
  outcomes: Array<Error | 'ok'>,
  options: { policy?: RetryPolicy; onWait?: (run: AbortController) => void; sizer?: BatchSizer } = {},
) {
  const calls: string[][] = [];
  const waits: number[] = [];
  const stops: string[] = [];
  const run = new AbortController();
  const report = new IngestReport();
  const upsert: UpsertBatch = async (documents) => {
    calls.push(documents.map((d) => d.id));
    const outcome = outcomes.shift() ?? 'ok';
    if (outcome !== 'ok') throw outcome;
  };
  const send = createBatchSender({
    upsert,
    report,
    policy: options.policy ?? POLICY,
    stopSignal: run.signal,
    ...(options.sizer && { sizer: options.sizer }),
    stop: (reason) => {
      stops.push(reason);
      run.abort(reason);
    },
    // No real sleeping: record the backoff asked for, and let a test stop the run meanwhile.
    wait: async (ms, signal) => {
      waits.push(ms);
      options.onWait?.(run);
      if (signal.aborted) throw signal.reason;
    },
  });
  return { send, calls, waits, stops, run, report };
}

describe('batch sizer', () => {
  it('halves on a deadline or a slow call, once per episode, and grows back a tenth at a time', () => {
    let clock = 0;
    const sizer = createBatchSizer(100, 20_000, () => clock);
    expect(sizer.size()).toBe(100);
    sizer.timedOut(0);
    clock = 10;
    // A second call sent before the cut reports the old size's slowness: no second cut.
    sizer.answered(0, 30_000);
    expect(sizer.size()).toBe(50);
    sizer.answered(20, 30_000);
    expect(sizer.size()).toBe(25);
    sizer.answered(30, 1_000);
    expect(sizer.size()).toBe(35);
    for (let i = 0; i < 20; i++) sizer.answered(40, 1_000);
    expect(sizer.size()).toBe(100);
    for (let i = 0; i < 20; i++) sizer.timedOut(clock++ + 100);
    expect(sizer.size()).toBe(1);
  });
});

describe('batch sender', () => {
  it('with a sizer, splits a batch that outlives its deadline and loads both halves without using a retry', async () => {
    const h = harness([deadlineExceeded(), 'ok', deadlineExceeded(), 'ok', 'ok'], {
      sizer: createBatchSizer(100, 20_000),
    });
    await h.send(entries(5));
    expect(h.calls).toEqual([['d0', 'd1', 'd2', 'd3', 'd4'], ['d0', 'd1', 'd2'], ['d3', 'd4'], ['d3'], ['d4']]);
    expect(h.report).toMatchObject({ loaded: 5, batches: 3, retries: 0, failed: 0 });
    expect(h.waits).toEqual([]);
  });

  it('counts a batch as loaded when the server acknowledges it', async () => {
    const h = harness(['ok']);
    await h.send(entries(3));
    expect(h.report).toMatchObject({ loaded: 3, batches: 1, retries: 0, failed: 0 });
    expect(h.report.problems).toEqual([]);
    expect(h.stops).toEqual([]);
  });

  it('retries UNAVAILABLE and DEADLINE_EXCEEDED with growing, capped backoff, then loads the batch', async () => {
    const h = harness([unavailable(), deadlineExceeded(), unavailable(), 'ok']);
    await h.send(entries(2));
    expect(h.calls).toEqual([
      ['d0', 'd1'],
      ['d0', 'd1'],
      ['d0', 'd1'],
      ['d0', 'd1'],
    ]);
    expect(h.report).toMatchObject({ loaded: 2, batches: 1, retries: 3, failed: 0 });
    expect(h.waits).toHaveLength(3);
    const [first, second, third] = h.waits as [number, number, number];
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    expect(second).toBeGreaterThanOrEqual(100);
    expect(second).toBeLessThanOrEqual(200);
    expect(third).toBeGreaterThanOrEqual(150);
    expect(third).toBeLessThanOrEqual(300);
  });

  it('after the last retry marks every line failed and stops the run, naming the code and the retries', async () => {
    const h = harness([unavailable(), unavailable(), unavailable(), unavailable()]);
    await h.send(entries(3));
    expect(h.calls).toHaveLength(POLICY.retries + 1);
    const reason = 'UNAVAILABLE after 3 retries: connection refused';
    expect(h.stops).toEqual([reason]);
    expect(h.report).toMatchObject({ loaded: 0, failed: 3, batches: 0 });
    expect(h.report.problems).toEqual([10, 11, 12].map((lineNumber) => ({ lineNumber, kind: 'failed', reason })));
  });

  it('drops the documents an INVALID_ARGUMENT names and sends the rest again', async () => {
    const rejection = grpcError(
      new InvalidArgumentError([
        { field: 'documents[1].text', description: 'must not be blank' },
        { field: 'documents[3].vector', description: 'must have 4 dimensions, not 2' },
      ]),
    );
    const h = harness([rejection, 'ok']);
    await h.send(entries(4));
    expect(h.calls).toEqual([
      ['d0', 'd1', 'd2', 'd3'],
      ['d0', 'd2'],
    ]);
    expect(h.report.problems).toEqual([
      { lineNumber: 11, kind: 'rejected', reason: 'text: must not be blank (server)' },
      { lineNumber: 13, kind: 'rejected', reason: 'vector: must have 4 dimensions, not 2 (server)' },
    ]);
    expect(h.report).toMatchObject({ loaded: 2, rejected: 2, failed: 0, batches: 1 });
    expect(h.stops).toEqual([]);
  });

  it('stops the run when INVALID_ARGUMENT is about the request itself, not resending', async () => {
    const h = harness([grpcError(InvalidArgumentError.of('collection', 'is reserved'))]);
    await h.send(entries(2));
    expect(h.calls).toHaveLength(1);
    expect(h.stops).toEqual(['INVALID_ARGUMENT: collection: is reserved']);
    expect(h.report).toMatchObject({ loaded: 0, failed: 2, rejected: 0 });
  });

  it('stops the run when INVALID_ARGUMENT names no document of this batch', async () => {
    const h = harness([grpcError(InvalidArgumentError.of('documents[7].id', 'is repeated'))]);
    await h.send(entries(2));
    expect(h.calls).toHaveLength(1);
    expect(h.stops).toEqual(['INVALID_ARGUMENT: documents[7].id: is repeated']);
    expect(h.report).toMatchObject({ loaded: 0, failed: 2 });
  });

  it('does not retry other errors: the lines fail and the run stops at once', async () => {
    const h = harness([grpcError(new Error('disk full')), new Error('socket hang up')]);
    await h.send(entries(1));
    await h.send(entries(1));
    expect(h.calls).toHaveLength(1);
    expect(h.waits).toEqual([]);
    expect(h.stops).toEqual(['INTERNAL: internal error']);
    expect(h.report.problems.map((p) => p.reason)).toEqual([
      'INTERNAL: internal error',
      'not sent: INTERNAL: internal error',
    ]);
  });

  it('sends nothing once the run has stopped, reporting the lines as not sent', async () => {
    const h = harness([]);
    h.run.abort('interrupted');
    await h.send(entries(2));
    expect(h.calls).toEqual([]);
    expect(h.report.problems).toEqual([
      { lineNumber: 10, kind: 'failed', reason: 'not sent: interrupted' },
      { lineNumber: 11, kind: 'failed', reason: 'not sent: interrupted' },
    ]);
  });

  it('gives up a retry when the run stops during the backoff', async () => {
    const h = harness([unavailable()], { onWait: (run) => run.abort('interrupted') });
    await h.send(entries(2));
    expect(h.calls).toHaveLength(1);
    expect(h.report).toMatchObject({ loaded: 0, failed: 2, retries: 1 });
    expect(h.report.problems.map((p) => p.reason)).toEqual(['not sent: interrupted', 'not sent: interrupted']);
  });
});
