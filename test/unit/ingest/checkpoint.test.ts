import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  type Checkpoint,
  checkpointHolds,
  checkpointPath,
  createCheckpointTracker,
  linesDigest,
  readCheckpoint,
} from '../../../src/cli/ingest/checkpoint';
import { readLines } from '../../../src/cli/ingest/read-lines';
import { type IngestRunOptions, runIngest } from '../../../src/cli/ingest/run-ingest';
import { fakeSearchService, grpcError } from './fake-search-service';

const OPTIONS: IngestRunOptions = {
  batchSize: 3,
  maxBatchBytes: 1024 * 1024,
  concurrency: 2,
  retryPolicy: { retries: 0, baseDelayMs: 1, maxDelayMs: 2 },
};
const KEY = { file: '/data/docs.jsonl', collection: 'docs', target: '127.0.0.1:50051' };
const doc = (id: string, text = `text of ${id}`) => JSON.stringify({ id, text });
const many = (n: number) => Array.from({ length: n }, (_, i) => doc(`d${i + 1}`));
const linesOf = (lines: string[]) => readLines(Readable.from([`${lines.join('\n')}\n`]));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'recall-checkpoint-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const checkpointFile = () => checkpointPath(dir, KEY);
const saved = () => JSON.parse(readFileSync(checkpointFile(), 'utf8')) as Checkpoint;

describe('ingest checkpoint', () => {
  it('advances only over lines that are all settled, whatever order batches are acknowledged in', () => {
    const tracker = createCheckpointTracker(checkpointFile(), KEY);
    const lines = ['a', 'b', '', 'c', 'd'];
    lines.forEach((text, i) => tracker.read(i + 1, text, text !== ''));
    tracker.settle([2, 4]);
    expect(tracker.line).toBe(0);
    tracker.settle([1]);
    // Line 3 is blank: nothing to send, so the checkpoint passes it.
    expect(saved()).toMatchObject({ ...KEY, line: 4, digest: linesDigest(lines.slice(0, 4)) });
    tracker.settle([5]);
    expect(saved().line).toBe(5);
  });

  it('is found only for the same file, collection and service, and holds only while those lines are unchanged', async () => {
    const tracker = createCheckpointTracker(checkpointFile(), KEY);
    ['x', 'y', 'z'].forEach((text, i) => tracker.read(i + 1, text, true));
    tracker.settle([1, 2]);
    const checkpoint = readCheckpoint(checkpointFile(), KEY)!;
    expect(checkpoint.line).toBe(2);
    expect(readCheckpoint(checkpointFile(), { ...KEY, collection: 'other' })).toBeUndefined();
    expect(checkpointPath(dir, { ...KEY, target: 'elsewhere:1' })).not.toBe(checkpointFile());
    await expect(checkpointHolds(linesOf(['x', 'y', 'appended']), checkpoint)).resolves.toBe(true);
    await expect(checkpointHolds(linesOf(['x', 'edited', 'z']), checkpoint)).resolves.toBe(false);
    await expect(checkpointHolds(linesOf(['x']), checkpoint)).resolves.toBe(false);
  });

  it('a run stopped by a failure resumes at its first unacknowledged line, and the rerun loads the rest', async () => {
    const lines = many(30);
    const failing = fakeSearchService((_docs, call) => {
      if (call === 4) throw grpcError(new Error('disk full'));
    });
    const first = await runIngest(
      linesOf(lines),
      { ...OPTIONS, concurrency: 1 },
      { upsert: failing.upsert, checkpoint: createCheckpointTracker(checkpointFile(), KEY) },
    );
    expect(first.loaded).toBe(9);
    const checkpoint = readCheckpoint(checkpointFile(), KEY)!;
    expect(checkpoint.line).toBe(9);
    await expect(checkpointHolds(linesOf(lines), checkpoint)).resolves.toBe(true);

    const healthy = fakeSearchService();
    const second = await runIngest(
      linesOf(lines),
      { ...OPTIONS, skipLines: checkpoint.line },
      { upsert: healthy.upsert, checkpoint: createCheckpointTracker(checkpointFile(), KEY) },
    );
    expect(second).toMatchObject({ skipped: 9, linesRead: 21, loaded: 21, failed: 0 });
    expect([...healthy.stored.keys()].sort()).toEqual(
      lines
        .slice(9)
        .map((l) => JSON.parse(l).id)
        .sort(),
    );
    expect(second.format('docs')).toContain('resumed: lines 1-9 were finished by an earlier run');
    expect(saved().line).toBe(30);
    expect(saved().digest).toBe(linesDigest(lines));
  });

  it('counts a line replaced by a later one with the same id as settled', async () => {
    const service = fakeSearchService();
    await runIngest(
      linesOf([doc('a', 'first'), doc('a', 'second'), doc('b')]),
      { ...OPTIONS, batchSize: 10 },
      { upsert: service.upsert, checkpoint: createCheckpointTracker(checkpointFile(), KEY) },
    );
    expect(saved().line).toBe(3);
  });
});
