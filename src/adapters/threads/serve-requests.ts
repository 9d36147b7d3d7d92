import { parentPort } from 'node:worker_threads';
import { packError } from './error-transfer';
import type { WorkerReply, WorkerRequest } from './worker-channel';

/** What a worker answers: method name to implementation (arguments and results must be cloneable). */
// biome-ignore lint/suspicious/noExplicitAny: each handler declares its own argument types.
export type WorkerHandlers = Record<string, (...args: any[]) => unknown>;

/**
 * Worker side of a WorkerChannel: answers each request from the parent thread with its
 * handler's result or its error (see error-transfer). Requests are started in arrival
 * order and may overlap when handlers await.
 */
export function serveRequests(handlers: WorkerHandlers): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests must run in a worker thread');
  port.on('message', async ({ id, method, args }: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const handler = handlers[method];
      if (!handler) throw new Error(`unknown worker method ${method}`);
      reply = { id, ok: true, value: await handler(...args) };
    } catch (error) {
      reply = { id, ok: false, error: packError(error) };
    }
    port.postMessage(reply);
  });
}
