import { freePort } from './free-port';
/**
 * Starts the local all-MiniLM-L6-v2 embedding server (scripts/embedding-server.sh) for the
 * tests that need a real embedding model, or uses the one named by RECALL_TEST_EMBEDDING_URL.
 * Called by those test files themselves (not by the global set-up): most of the suite never
 * needs a model, and the first install downloads ~100 MB. Process group and clean-up:
 * ./script-server.ts.
 */
import { startScriptServer, waitFor } from './script-server';

const KIND = {
  name: 'embedding server',
  script: 'embedding-server.sh',
  parentPidVariable: 'EMBEDDING_SERVER_PARENT_PID',
  dirPrefix: 'embedding-',
};
const READY_TIMEOUT_MS = 60_000;

/** A running embedding server. */
export interface EmbeddingServer {
  /** Base URL for EMBEDDING_URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** What to send as EMBEDDING_MODEL, and the vector length for EMBEDDING_DIMENSION. */
  model: string;
  dimension: number;
  /** Stops the server (a no-op for one given by the environment). */
  stop(): Promise<void>;
}

/** Installs (first time) and starts the server; rejects with an explanation when it cannot. */
export async function startEmbeddingServer(): Promise<EmbeddingServer> {
  const given = process.env.RECALL_TEST_EMBEDDING_URL;
  const info = { model: 'all-MiniLM-L6-v2', dimension: 384 };
  if (given) return { url: given.replace(/\/+$/, ''), ...info, stop: async () => {} };

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startScriptServer(KIND, {
    address: `127.0.0.1:${port}`,
    runArgs: () => [String(port)],
    ready: (child) => waitFor(KIND.name, child, () => healthy(url), `answer ${url}/health`, READY_TIMEOUT_MS),
  });
  return { url, ...info, stop: () => server.stop() };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
