/** Jest global tear-down of the integration and e2e tiers: stops the Milvus servers their set-up started. */
export default async function globalTeardown(): Promise<void> {
  const started = globalThis as { __recallServers?: { stop(): Promise<void> }[] };
  // Emptied first, so a second tier's tear-down in the same run finds nothing left to stop.
  const servers = started.__recallServers?.splice(0) ?? [];
  await Promise.all(servers.map((server) => server.stop()));
}
