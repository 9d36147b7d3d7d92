/**
 * Starts a Milvus 2.3 standalone server for the test run (scripts/milvus-standalone.sh), or
 * uses the one named by RECALL_TEST_MILVUS_STANDALONE_ADDRESS. Process group, data directory
 * and clean-up: ./script-server.ts.
 */
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type TestServer, startScriptServer, waitFor } from './script-server';

const STANDALONE = {
  name: 'Milvus standalone',
  script: 'milvus-standalone.sh',
  parentPidVariable: 'MILVUS_STANDALONE_PARENT_PID',
  dirPrefix: 'standalone-test-',
};
const READY_TIMEOUT_MS = 120_000;
/** The script's ports from the base up: the proxy (the Milvus address) first, /healthz last. */
const PORT_COUNT = 12;

/** A running Milvus standalone server. */
export type MilvusStandalone = TestServer;

/**
 * Starts (or finds) a Milvus standalone server; rejects with an explanation when it cannot. extraConfig holds Milvus
 * config overrides such as 'proxy.timeTickInterval=20' (not applied to a server given by the environment).
 */
export async function startMilvusStandalone(extraConfig: string[] = []): Promise<MilvusStandalone> {
  const given = process.env.RECALL_TEST_MILVUS_STANDALONE_ADDRESS;
  if (given) return { address: given, stop: async () => {} };

  const base = await freePortRange(PORT_COUNT);
  const healthPort = base + PORT_COUNT - 1;
  return startScriptServer(STANDALONE, {
    address: `127.0.0.1:${base}`,
    runArgs: (dataDir) => [String(base), join(dataDir, 'data'), ...extraConfig],
    ready: (child) =>
      waitFor(
        STANDALONE.name,
        child,
        () => healthy(healthPort),
        `turn healthy on port ${healthPort}`,
        READY_TIMEOUT_MS,
      ),
    // The server's own logs: a crash, or what it was waiting for.
    logs: (dataDir) => ['stderr', 'stdout'].map((name) => join(dataDir, 'data', 'logs', `milvus-${name}.log`)),
  });
}

/** A base port whose whole range is free, below Linux's ephemeral ports (32768+) that outgoing connections take. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 1_000) * count;
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`found no ${count} consecutive free ports for Milvus standalone`);
}

/** Whether the port can be listened on (the server listens on all interfaces). */
function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '0.0.0.0', () => server.close(() => done(true)));
  });
}

/** GET /healthz answers 200 once every component is up (500 before; a TCP probe would succeed too early). */
export function healthy(port: number): Promise<boolean> {
  return new Promise((done) => {
    const request = get({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      done(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => done(false));
  });
}
