import { Metadata } from '@grpc/grpc-js';
import type { RpcCall, RpcMethod } from '../../../../src/grpc/middleware/middleware';

/** An RpcCall made of plain fields, recording the headers sent and the cancel listeners. */
export interface FakeCall<Req> extends RpcCall<Req> {
  readonly sentHeaders: Metadata[];
  /** Fires every `cancelled` listener, as grpc-js does when the caller goes away. */
  cancel(): void;
  /** Listeners still attached (the middleware must detach its own when the call ends). */
  listenerCount(): number;
}

/** A call (to `/recall.v1.MemoryService/ListFacts` unless `method` says) with the given metadata and deadline. */
export function fakeCall<Req = { userId: string }>(
  options: { metadata?: Record<string, string>; deadline?: Date | number; request?: Req; method?: RpcMethod } = {},
): FakeCall<Req> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const listeners = new Set<() => void>();
  const sentHeaders: Metadata[] = [];
  return {
    method: options.method ?? {
      path: '/recall.v1.MemoryService/ListFacts',
      service: 'recall.v1.MemoryService',
      name: 'ListFacts',
    },
    request: options.request ?? ({ userId: 'u1' } as Req),
    metadata,
    sentHeaders,
    getDeadline: () => options.deadline ?? Number.POSITIVE_INFINITY,
    sendMetadata: (md) => sentHeaders.push(md),
    onCancelled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    cancel: () => {
      for (const listener of listeners) listener();
    },
    listenerCount: () => listeners.size,
  };
}
