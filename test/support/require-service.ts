/**
 * The address of a real service for an integration test. Throws (failing the suite, never
 * skipping it) when global set-up could not find the service.
 */
export function requireService(name: 'postgres' | 'milvus' | 'milvus-standalone'): string {
  const value = {
    postgres: process.env.RECALL_TEST_PG_URL,
    milvus: process.env.RECALL_TEST_MILVUS_ADDRESS,
    'milvus-standalone': process.env.RECALL_TEST_MILVUS_STANDALONE_ADDRESS,
  }[name];
  if (!value) {
    throw new Error(
      `${name} is required by this suite but was not found: ${process.env.RECALL_TEST_MISSING ?? 'see the banner at the top of the run'}`,
    );
  }
  return value;
}
