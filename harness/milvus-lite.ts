/**
 * Starts a Milvus Lite server for the test run (scripts/milvus-lite.sh), or uses the one named
 * by RECALL_TEST_MILVUS_ADDRESS. Process group, data directory and clean-up: ./script-server.ts.
 */
import { join } from 'node:path';
import { accepts, freePort } from './free-port';
import { type TestServer, startScriptServer, waitFor } from './script-server';

const LITE = {
  name: 'Milvus Lite',
  script: 'milvus-lite.sh',
  parentPidVariable: 'MILVUS_LITE_PARENT_PID',
  dirPrefix: 'test-',
};
const READY_TIMEOUT_MS = 60_000;

/** A running Milvus Lite server. */
export type MilvusLite = TestServer;

/** Starts (or finds) a Milvus Lite server; rejects with an explanation when it cannot. */
export async function startMilvusLite(): Promise<MilvusLite> {
  const given = process.env.RECALL_TEST_MILVUS_ADDRESS;
  if (given) return { address: given, stop: async () => {} };

  const port = await freePort();
  return startScriptServer(LITE, {
    address: `127.0.0.1:${port}`,
    runArgs: (dataDir) => [String(port), join(dataDir, 'data')],
    ready: (child) =>
      waitFor(LITE.name, child, () => accepts(port), `accept connections on port ${port}`, READY_TIMEOUT_MS),
  });
}
