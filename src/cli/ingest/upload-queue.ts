import type { Document } from '../../gen/recall/v1/search';

/** A valid document on its way to the server, with the line it came from. */
export interface BatchEntry {
  lineNumber: number;
  document: Document;
}

/** Sends one batch to the end: loads it, reports its problems, never rejects. */
export type SendBatch = (entries: BatchEntry[]) => Promise<void>;

/** Runs batch uploads with bounded concurrency while keeping a file's line order per id. */
export interface UploadQueue {
  /**
   * Starts sending `entries` once fewer than `concurrency` batches are running; resolves when
   * it has started (this is the reader's back-pressure). A batch that repeats an id of a batch
   * still running waits for that batch first, so the later line is written last and wins.
   */
  submit(entries: BatchEntry[]): Promise<void>;
  /** Resolves when every submitted batch has finished. */
  drain(): Promise<void>;
}

/** Creates the queue; `onUnexpected` receives the entries of a send that broke its contract. */
export function createUploadQueue(options: {
  concurrency: number;
  send: SendBatch;
  onUnexpected: (entries: BatchEntry[], error: unknown) => void;
}): UploadQueue {
  const { concurrency, send, onUnexpected } = options;
  const running = new Set<Promise<void>>();
  const runningById = new Map<string, Promise<void>>();

  return {
    async submit(entries) {
      while (running.size >= concurrency) await Promise.race(running);
      const before = new Set<Promise<void>>();
      for (const { document } of entries) {
        const earlier = runningById.get(document.id);
        if (earlier) before.add(earlier);
      }
      const task = Promise.all(before)
        .then(() => send(entries))
        .catch((error: unknown) => onUnexpected(entries, error))
        .finally(() => {
          running.delete(task);
          for (const { document } of entries) {
            if (runningById.get(document.id) === task) runningById.delete(document.id);
          }
        });
      running.add(task);
      for (const { document } of entries) runningById.set(document.id, task);
    },

    async drain() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
