/**
 * Jest global set-up: finds the real services the integration and e2e tiers need and
 * publishes their addresses to the test workers through the environment.
 *
 * - PostgreSQL: RECALL_TEST_PG_URL (admin URL; each test file creates its own database).
 * - Milvus: RECALL_TEST_MILVUS_ADDRESS (a Milvus Lite server started for this run).
 * - A real Milvus: RECALL_TEST_MILVUS_STANDALONE_ADDRESS (a Milvus 2.3 standalone server started
 *   for this run), where consistency levels mean what they mean in production.
 *
 * A service that cannot be found is reported loudly. With CI=true that fails the run;
 * elsewhere the suites that need it fail with the same message (see requireService).
 */

import { startMilvusLite } from '../../harness/milvus-lite';
import { startMilvusStandalone } from '../../harness/milvus-standalone';
import { findPostgres } from '../../harness/postgres';

export default async function globalSetup(): Promise<void> {
  const problems: string[] = [];
  const servers: { stop(): Promise<void> }[] = [];
  try {
    process.env.RECALL_TEST_PG_URL = await findPostgres();
  } catch (error) {
    problems.push(`PostgreSQL: ${(error as Error).message}`);
  }
  if (process.env.RECALL_TEST_SKIP_MILVUS !== '1') {
    // Both servers start at once: the standalone one takes a few seconds to become healthy.
    const [lite, standalone] = await Promise.allSettled([startMilvusLite(), startMilvusStandalone()]);
    if (lite.status === 'fulfilled') {
      process.env.RECALL_TEST_MILVUS_ADDRESS = lite.value.address;
      servers.push(lite.value);
    } else {
      problems.push(`Milvus Lite: ${(lite.reason as Error).message}`);
    }
    if (standalone.status === 'fulfilled') {
      process.env.RECALL_TEST_MILVUS_STANDALONE_ADDRESS = standalone.value.address;
      servers.push(standalone.value);
    } else {
      problems.push(`Milvus 2.3 standalone: ${(standalone.reason as Error).message}`);
    }
    (globalThis as { __recallServers?: { stop(): Promise<void> }[] }).__recallServers = servers;
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
