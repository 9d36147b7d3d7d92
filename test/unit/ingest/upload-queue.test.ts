import { type BatchEntry, createUploadQueue } from '../../../src/cli/ingest/upload-queue';

/** A batch of the given ids, numbered from line 1. */
const batch = (...ids: string[]): BatchEntry[] =>
  ids.map((id, i) => ({ lineNumber: i + 1, document: { id, text: id, vector: [] } }));

/** Lets every promise callback that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A send whose batches finish only when the test says so, recording which batches have
 * started and finished (named by their ids joined with "+").
 */
function controlledSend() {
  const started: string[] = [];
  const finished: string[] = [];
  const release = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  const send = (entries: BatchEntry[]) => {
    const name = entries.map((e) => e.document.id).join('+');
    started.push(name);
    return new Promise<void>((resolve, reject) => {
      release.set(name, { resolve, reject });
    }).then(() => {
      finished.push(name);
    });
  };
  const finish = async (name: string) => {
    release.get(name)?.resolve();
    await settle();
  };
  const fail = async (name: string, error: Error) => {
    release.get(name)?.reject(error);
    await settle();
  };
  return { send, started, finished, finish, fail };
}

describe('upload queue', () => {
  it('runs at most `concurrency` batches and holds the reader back until one finishes', async () => {
    const s = controlledSend();
    const queue = createUploadQueue({ concurrency: 2, send: s.send, onUnexpected: () => undefined });
    await queue.submit(batch('a'));
    await queue.submit(batch('b'));
    let thirdAccepted = false;
    const third = queue.submit(batch('c')).then(() => {
      thirdAccepted = true;
    });
    await settle();
    expect(s.started).toEqual(['a', 'b']);
    expect(thirdAccepted).toBe(false);

    await s.finish('b');
    await third;
    expect(thirdAccepted).toBe(true);
    expect(s.started).toEqual(['a', 'b', 'c']);
  });

  it('holds a batch that repeats an id until the earlier batch with that id is written', async () => {
    const s = controlledSend();
    const queue = createUploadQueue({ concurrency: 3, send: s.send, onUnexpected: () => undefined });
    await queue.submit(batch('a', 'b'));
    await queue.submit(batch('c'));
    await queue.submit(batch('d', 'a'));
    await settle();
    // "c" shares nothing and runs alongside; "d+a" waits for "a+b" so the later line of "a" wins.
    expect(s.started).toEqual(['a+b', 'c']);

    await s.finish('c');
    expect(s.started).toEqual(['a+b', 'c']);
    await s.finish('a+b');
    expect(s.started).toEqual(['a+b', 'c', 'd+a']);
  });

  it('drain resolves only when every submitted batch, including held ones, has finished', async () => {
    const s = controlledSend();
    const queue = createUploadQueue({ concurrency: 2, send: s.send, onUnexpected: () => undefined });
    await queue.submit(batch('a'));
    await queue.submit(batch('a', 'b'));
    let drained = false;
    const drain = queue.drain().then(() => {
      drained = true;
    });
    await s.finish('a');
    expect(drained).toBe(false);
    await s.finish('a+b');
    await drain;
    expect(drained).toBe(true);
    expect(s.finished).toEqual(['a', 'a+b']);
  });

  it('hands a send that rejects to onUnexpected and keeps going with the next batches', async () => {
    const s = controlledSend();
    const unexpected: Array<{ ids: string[]; message: string }> = [];
    const queue = createUploadQueue({
      concurrency: 1,
      send: s.send,
      onUnexpected: (entries, error) =>
        unexpected.push({ ids: entries.map((e) => e.document.id), message: (error as Error).message }),
    });
    await queue.submit(batch('a', 'b'));
    await s.fail('a+b', new Error('bug in send'));
    await queue.submit(batch('a'));
    await s.finish('a');
    await queue.drain();
    expect(unexpected).toEqual([{ ids: ['a', 'b'], message: 'bug in send' }]);
    expect(s.finished).toEqual(['a']);
  });
});
