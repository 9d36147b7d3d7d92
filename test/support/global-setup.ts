/**
 * Jest global set-up: finds the real services the integration and e2e tiers need and
 * publishes their addresses to the test workers through the environment.
 *
 * - PostgreSQL: RECALL_TEST_PG_URL (admin URL; each test file creates its own database).
 * - Milvus: RECALL_TEST_MILVUS_ADDRESS (a Milvus Lite server started for this run).
 *
 * A service that cannot be found is reported loudly. With CI=true that fails the run;
 * elsewhere the suites that need it fail with the same message (see requireService).
 */

import { startMilvusLite } from './milvus-lite';
import { findPostgres } from './postgres';

export default async function globalSetup(): Promise<void> {
  const problems: string[] = [];
  try {
    process.env.RECALL_TEST_PG_URL = await findPostgres();
  } catch (error) {
    problems.push(`PostgreSQL: ${(error as Error).message}`);
  }
  if (process.env.RECALL_TEST_SKIP_MILVUS !== '1') {
    try {
      const milvus = await startMilvusLite();
      process.env.RECALL_TEST_MILVUS_ADDRESS = milvus.address;
      (globalThis as { __recallMilvus?: { stop(): Promise<void> } }).__recallMilvus = milvus;
    } catch (error) {
      problems.push(`Milvus Lite: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    const banner = [
      '',
      '!'.repeat(78),
      '! recall tests: real services missing',
      ...problems.map((p) => `!   ${p}`),
      '!'.repeat(78),
      '',
    ];
    process.stderr.write(`${banner.join('\n')}\n`);
    if (process.env.CI === 'true') throw new Error(`required test services are missing: ${problems.join('; ')}`);
    process.env.RECALL_TEST_MISSING = problems.join('; ');
  }
}
