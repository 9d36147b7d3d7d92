/**
 * What the integration and e2e tiers' global set-ups share: find the real services a tier
 * needs and publish their addresses to the test workers through the environment.
 *
 * - PostgreSQL: RECALL_TEST_PG_URL (admin URL; each test file creates its own database).
 * - Milvus: RECALL_TEST_MILVUS_ADDRESS (a Milvus Lite server started for this run).
 * - A real Milvus: RECALL_TEST_MILVUS_STANDALONE_ADDRESS (a Milvus 2.3 standalone server started
 *   for this run), where consistency levels mean what they mean in production.
 *
 * A service that cannot be found is reported loudly. With CI=true that fails the run;
 * elsewhere the suites that need it fail with the same message (see requireService).
 * When several tiers run in one jest run, each set-up runs in the same process: a server the
 * first one started is found through its address variable and reused, not started twice.
 */

import { startMilvusLite } from '../../harness/milvus-lite';
import { startMilvusStandalone } from '../../harness/milvus-standalone';
import { findPostgres } from '../../harness/postgres';

/** The real services a tier's tests use. */
export interface TierNeeds {
  postgres: boolean;
  milvusLite: boolean;
  milvusStandalone: boolean;
}

/** A server this run started; global-teardown stops it. */
interface StartedServer {
  stop(): Promise<void>;
}

const started = globalThis as { __recallServers?: StartedServer[]; __recallPostgresFound?: boolean };

/** Finds or starts what `needs` names for `tier`; see the file comment for failures. */
export async function setUpServices(tier: string, needs: TierNeeds): Promise<void> {
  const problems: string[] = [];
  started.__recallServers ??= [];
  const servers = started.__recallServers;
  if (needs.postgres && !started.__recallPostgresFound) {
    try {
      process.env.RECALL_TEST_PG_URL = await findPostgres();
      started.__recallPostgresFound = true;
    } catch (error) {
      problems.push(`PostgreSQL: ${(error as Error).message}`);
    }
  }
  if (process.env.RECALL_TEST_SKIP_MILVUS !== '1') {
    // Both servers start at once: the standalone one takes a few seconds to become healthy.
    const [lite, standalone] = await Promise.allSettled([
      needs.milvusLite && !process.env.RECALL_TEST_MILVUS_ADDRESS ? startMilvusLite() : undefined,
      needs.milvusStandalone && !process.env.RECALL_TEST_MILVUS_STANDALONE_ADDRESS
        ? startMilvusStandalone()
        : undefined,
    ]);
    if (lite.status === 'rejected') {
      problems.push(`Milvus Lite: ${(lite.reason as Error).message}`);
    } else if (lite.value) {
      process.env.RECALL_TEST_MILVUS_ADDRESS = lite.value.address;
      servers.push(lite.value);
    }
    if (standalone.status === 'rejected') {
      problems.push(`Milvus 2.3 standalone: ${(standalone.reason as Error).message}`);
    } else if (standalone.value) {
      process.env.RECALL_TEST_MILVUS_STANDALONE_ADDRESS = standalone.value.address;
      servers.push(standalone.value);
    }
  }
  if (problems.length > 0) {
    const banner = [
      '',
      '!'.repeat(78),
      `! recall ${tier} tests: real services missing`,
      ...problems.map((p) => `!   ${p}`),
      '!'.repeat(78),
      '',
    ];
    process.stderr.write(`${banner.join('\n')}\n`);
    if (process.env.CI === 'true') throw new Error(`required test services are missing: ${problems.join('; ')}`);
    const earlier = process.env.RECALL_TEST_MISSING?.split('; ') ?? [];
    process.env.RECALL_TEST_MISSING = [...new Set([...earlier, ...problems])].join('; ');
  }
}
