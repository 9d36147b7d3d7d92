import { type CallOptions, type Client, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { DeepPartial } from '../gen/recall/v1/memory';

/** Per-call options of the promise clients. */
export interface CallSettings {
  /** Deadline in ms from now; the client's default deadline when absent. */
  deadlineMs?: number;
  /** Cancels the call (it then rejects with CANCELLED). */
  signal?: AbortSignal;
  /** Extra request metadata, e.g. `x-request-id`. */
  metadata?: Record<string, string>;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

type Lower<S extends string> = S extends `${infer F}${infer R}` ? `${Lowercase<F>}${R}` : S;

/**
 * The unary methods of a generated grpc-js client as `(request, settings?) => Promise<response>`.
 * A request may leave out any field (its proto default is sent), so a field added to the proto
 * later never breaks a caller's build.
 */
export type PromiseClient<C, Def> = {
  [K in keyof Def as Lower<K & string>]: K extends string
    ? Lower<K> extends keyof C
      ? C[Lower<K>] extends Unary<infer Req, infer Res>
        ? (request: DeepPartial<Req>, settings?: CallSettings) => Promise<Res>
        : never
      : never
    : never;
} & {
  /** Closes the channel; calls in flight fail. */
  close(): void;
};

/** A generated message's `fromPartial`: fills the fields a request left out with their defaults. */
export type RequestFiller = (method: string) => (request: unknown) => unknown;

/**
 * Wraps `client`'s methods named in `definition` with promises, a default deadline and
 * cancellation; `fill` completes each request before it is encoded.
 */
export function promiseClient<C extends Client, Def extends Record<string, unknown>>(
  client: C,
  definition: Def,
  defaultDeadlineMs: number,
  fill: RequestFiller,
): PromiseClient<C, Def> {
  const wrapped: Record<string, unknown> = { close: () => client.close() };
  for (const name of Object.keys(definition)) {
    const method = name.charAt(0).toLowerCase() + name.slice(1);
    const unary = (client as unknown as Record<string, Unary<unknown, unknown> | undefined>)[method];
    if (!unary) throw new Error(`the generated client has no method ${method}`);
    const call = unary.bind(client);
    const complete = fill(name);
    wrapped[method] = (partial: unknown, settings: CallSettings = {}) =>
      new Promise((resolve, reject) => {
        const metadata = new Metadata();
        for (const [key, value] of Object.entries(settings.metadata ?? {})) metadata.set(key, value);
        const deadline = Date.now() + (settings.deadlineMs ?? defaultDeadlineMs);
        const pending = call(complete(partial), metadata, { deadline }, (error, response) =>
          error ? reject(error) : resolve(response),
        ) as { cancel(): void };
        settings.signal?.addEventListener('abort', () => pending.cancel(), { once: true });
        if (settings.signal?.aborted) pending.cancel();
      });
  }
  return wrapped as PromiseClient<C, Def>;
}
