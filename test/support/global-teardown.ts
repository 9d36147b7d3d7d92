/** Jest global tear-down: stops the Milvus servers started by global-setup. */
export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as { __recallServers?: { stop(): Promise<void> }[] }).__recallServers ?? [];
  await Promise.all(servers.map((server) => server.stop()));
}
