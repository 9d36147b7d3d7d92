import { type CallOptions, type Client, Metadata, type ServiceError, credentials } from '@grpc/grpc-js';
import * as memoryMessages from '../src/gen/recall/v1/memory';
import { type DeepPartial, MemoryServiceClient } from '../src/gen/recall/v1/memory';
import * as searchMessages from '../src/gen/recall/v1/search';
import { SearchServiceClient } from '../src/gen/recall/v1/search';

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/**
 * A promise-returning view of a generated client: `await c.addFacts(req, { timeoutMs })`. A
 * request may leave fields out; the generated `<Rpc>Request.fromPartial` fills them in.
 */
export type Promised<C> = {
  [K in keyof C]: C[K] extends Unary<infer Req, infer Res>
    ? (request: DeepPartial<Req>, options?: { timeoutMs?: number; metadata?: Record<string, string> }) => Promise<Res>
    : never;
};

function promisify<C extends Client>(client: C, messages: Record<string, unknown>): Promised<C> & { close(): void } {
  return new Proxy(client, {
    get(target, prop: string) {
      if (prop === 'close') return () => target.close();
      const method = (target as unknown as Record<string, unknown>)[prop];
      if (typeof method !== 'function') return method;
      const type = messages[`${prop.charAt(0).toUpperCase()}${prop.slice(1)}Request`] as
        | { fromPartial(request: unknown): unknown }
        | undefined;
      return (partial: unknown, options: { timeoutMs?: number; metadata?: Record<string, string> } = {}) =>
        new Promise((resolve, reject) => {
          const md = new Metadata();
          for (const [k, v] of Object.entries(options.metadata ?? {})) md.set(k, v);
          const deadline = Date.now() + (options.timeoutMs ?? 30_000);
          const request = type ? type.fromPartial(partial) : partial;
          method.call(target, request, md, { deadline }, (error: ServiceError | null, response: unknown) =>
            error ? reject(error) : resolve(response),
          );
        });
    },
  }) as unknown as Promised<C> & { close(): void };
}

/** Generated clients for both services on `address`, promisified. */
export function connectClients(address: string) {
  return {
    memory: promisify(new MemoryServiceClient(address, credentials.createInsecure()), memoryMessages),
    search: promisify(new SearchServiceClient(address, credentials.createInsecure()), searchMessages),
  };
}

/** The gRPC status code of a rejected call (undefined if it did not fail). */
export async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as ServiceError).code;
  }
}
