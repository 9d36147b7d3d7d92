/**
 * The address of a real service for an integration test. Throws (failing the suite, never
 * skipping it) when global set-up could not find the service.
 */
export function requireService(name: 'postgres' | 'milvus'): string {
  const value = name === 'postgres' ? process.env.RECALL_TEST_PG_URL : process.env.RECALL_TEST_MILVUS_ADDRESS;
  if (!value) {
    throw new Error(
      `${name} is required by this suite but was not found: ${process.env.RECALL_TEST_MISSING ?? 'see the banner at the top of the run'}`,
    );
  }
  return value;
}
