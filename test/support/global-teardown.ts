/** Jest global tear-down: stops the Milvus Lite server started by global-setup. */
export default async function globalTeardown(): Promise<void> {
  const milvus = (globalThis as { __recallMilvus?: { stop(): Promise<void> } }).__recallMilvus;
  await milvus?.stop();
}
