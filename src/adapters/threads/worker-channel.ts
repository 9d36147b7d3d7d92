import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { UnavailableError } from '../../domain/errors';
import { adoptIntoRealm } from './adopt-into-realm';
import { type TransferredError, unpackError } from './error-transfer';
import { loadWorkerSource } from './worker-source';

/** A call to a worker: `method(...args)`, answered by a WorkerReply with the same id. */
export interface WorkerRequest {
  id: number;
  method: string;
  args: unknown[];
}

/** A worker's answer to one request. */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: TransferredError };

/** Request/response calls to one worker thread. */
export interface WorkerChannel {
  /** Runs `method(...args)` in the worker; rejects with the worker's error, rebuilt. */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** Stops the worker (pending calls reject with UnavailableError); safe to call twice. */
  terminate(): Promise<void>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Starts the worker whose entry is `entry` (a path without extension: `entry.js` when built,
 * `entry.ts` bundled on the fly under a TypeScript runner such as ts-jest or tsx). The worker
 * holds the process open only while a call is in flight, so a forgotten store never keeps a
 * finished process alive; `label` names it in errors.
 */
export function startWorker(entry: string, label: string): WorkerChannel {
  const source = loadWorkerSource(entry, createRequire(__filename));
  const worker = source.kind === 'file' ? new Worker(source.path) : new Worker(source.code, { eval: true });
  worker.unref();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let gone: Error | undefined;

  const failAll = (error: Error) => {
    gone ??= error;
    for (const waiter of pending.values()) waiter.reject(gone);
    pending.clear();
  };
  worker.on('message', (reply: WorkerReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.ok) waiter.resolve(adoptIntoRealm(reply.value));
    else waiter.reject(unpackError(adoptIntoRealm(reply.error) as TransferredError));
  });
  worker.on('error', (error) =>
    failAll(new UnavailableError(`${label} worker failed: ${error.message}`, { cause: error })),
  );
  worker.on('exit', (code) => failAll(new UnavailableError(`${label} worker stopped (exit code ${code})`)));

  return {
    call<T>(method: string, ...args: unknown[]): Promise<T> {
      if (gone) return Promise.reject(gone);
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        if (pending.size === 1) worker.ref();
        try {
          worker.postMessage({ id, method, args } satisfies WorkerRequest);
        } catch (error) {
          // An argument that cannot be cloned: nothing was sent.
          pending.delete(id);
          if (pending.size === 0) worker.unref();
          reject(error);
        }
      });
    },
    async terminate(): Promise<void> {
      if (gone) return;
      failAll(new UnavailableError(`${label} is closed`));
      await worker.terminate();
    },
  };
}
