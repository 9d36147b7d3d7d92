import { connectClients } from '../test/support/grpc-clients';

/** Promisified generated clients of both services on one address. */
export type RecallClients = ReturnType<typeof connectClients>;

/** Connects the generated MemoryService and SearchService clients to `address` (host:port). */
export function connectRecall(address: string): RecallClients {
  return connectClients(address);
}
