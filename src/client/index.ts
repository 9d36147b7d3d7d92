/**
 * Ready clients for recall's two gRPC services, for internal callers:
 *
 *   const { search, memory } = createRecallClients({ address: 'recall:50051', token });
 *   const { hits } = await search.search(SearchRequest.fromPartial({ query: 'invoices' }));
 *
 * Every call has a deadline (default 5 s), reads retry on UNAVAILABLE through gRPC's service
 * config (writes never do), and a token or TLS material is applied to every call.
 */
import { type ChannelOptions, type Interceptor, status } from '@grpc/grpc-js';
import * as memoryMessages from '../gen/recall/v1/memory';
import { MemoryServiceClient, MemoryServiceService } from '../gen/recall/v1/memory';
import * as searchMessages from '../gen/recall/v1/search';
import { SearchServiceClient, SearchServiceService } from '../gen/recall/v1/search';
import { type RecallClientOptions, channelSetup } from './client-options';
import { type PromiseClient, type RequestFiller, promiseClient } from './promise-client';

export { type ClientTls, type RecallClientOptions, readTlsFiles } from './client-options';
export type { CallSettings, PromiseClient } from './promise-client';
export { DEFAULT_RETRY_POLICY, IDEMPOTENT_READS, type RetryPolicy } from './service-config';
export * from '../gen/recall/v1/memory';
export * from '../gen/recall/v1/search';
// Both generated files declare these helpers; name one copy to settle the ambiguity.
export { type DeepPartial, type MessageFns, protobufFileName, protobufPackage } from '../gen/recall/v1/memory';
export { status };

const DEFAULT_DEADLINE_MS = 5_000;

/** The SearchService as promises. */
export type SearchClient = PromiseClient<SearchServiceClient, typeof SearchServiceService>;
/** The MemoryService as promises. */
export type MemoryClient = PromiseClient<MemoryServiceClient, typeof MemoryServiceService>;

type Constructor<C> = new (
  address: string,
  creds: ReturnType<typeof channelSetup>['creds'],
  options: ChannelOptions & { interceptors?: Interceptor[] },
) => C;

/** `<Rpc>Request.fromPartial` of a generated module, by method name (`search` → `SearchRequest`). */
function requestFiller(messages: Record<string, unknown>): RequestFiller {
  return (method) => {
    const rpc = method.charAt(0).toUpperCase() + method.slice(1);
    const type = messages[`${rpc}Request`] as { fromPartial?: (request: unknown) => unknown } | undefined;
    if (!type?.fromPartial) throw new Error(`no generated ${rpc}Request message`);
    return type.fromPartial.bind(type);
  };
}

function build<C extends SearchServiceClient | MemoryServiceClient, Def extends Record<string, unknown>>(
  Ctor: Constructor<C>,
  definition: Def,
  service: string,
  messages: Record<string, unknown>,
  options: RecallClientOptions,
) {
  const { creds, channelOptions, interceptors } = channelSetup(options, [service]);
  const client = new Ctor(options.address, creds, { ...channelOptions, interceptors });
  return promiseClient(client, definition, options.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS, requestFiller(messages));
}

/** A SearchService client on its own channel. */
export function createSearchClient(options: RecallClientOptions): SearchClient {
  return build(SearchServiceClient, SearchServiceService, 'recall.v1.SearchService', searchMessages, options);
}

/** A MemoryService client on its own channel. */
export function createMemoryClient(options: RecallClientOptions): MemoryClient {
  return build(MemoryServiceClient, MemoryServiceService, 'recall.v1.MemoryService', memoryMessages, options);
}

/** Both clients; `close()` closes both channels. */
export function createRecallClients(options: RecallClientOptions) {
  const search = createSearchClient(options);
  const memory = createMemoryClient(options);
  return {
    search,
    memory,
    close() {
      search.close();
      memory.close();
    },
  };
}
