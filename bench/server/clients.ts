import { connectClients } from '../../harness/grpc-clients';

/** Promisified generated clients of both services on one address, and a way to close both. */
export type RecallClients = ReturnType<typeof connectClients> & { close(): void };

/** Connects the generated MemoryService and SearchService clients to `address` (host:port). */
export function connectRecall(address: string): RecallClients {
  const clients = connectClients(address);
  return {
    ...clients,
    close() {
      clients.memory.close();
      clients.search.close();
    },
  };
}
