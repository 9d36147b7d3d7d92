/**
 * Starts the local model server (scripts/model-server.sh: bge-small-en-v1.5 embeddings on
 * `/v1/embeddings`, the ms-marco-MiniLM-L-12-v2 cross-encoder on TEI's `/rerank`) for the tests,
 * the eval and the benchmark, or uses the one named by RECALL_TEST_MODEL_SERVER_URL. Called by
 * the test files that need it (not by the global set-up): the first install downloads ~75 MB.
 * Not to be confused with ./model-server.ts, an in-process stand-in with modelled latency.
 * Process group and clean-up: ./script-server.ts.
 */
import { freePort } from './free-port';
import { startScriptServer, waitFor } from './script-server';

const KIND = {
  name: 'model server',
  script: 'model-server.sh',
  parentPidVariable: 'MODEL_SERVER_PARENT_PID',
  dirPrefix: 'model-server-',
};
const READY_TIMEOUT_MS = 60_000;

/** bge-small-en-v1.5's instruction for queries (none for documents), from its model card. */
export const BGE_QUERY_PREFIX = 'Represent this sentence for searching relevant passages: ';

/** Rows the server computed or skipped since it started (`GET /stats`). */
export interface ModelServerStats {
  embedded: number;
  reranked: number;
  /** Rows never computed because their client disconnected first. */
  skipped: number;
  /** Requests whose client disconnected before the answer. */
  abandoned_requests: number;
  /** CPU time the server process has used. */
  cpu_seconds: number;
}

/** A running local model server. */
export interface LocalModels {
  /** Base URL for both EMBEDDING_URL and RERANK_URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** What to send as EMBEDDING_MODEL, the vector length for EMBEDDING_DIMENSION, and the query prefix. */
  embedding: { model: string; dimension: number; queryPrefix: string };
  /** The cross-encoder's name; RERANK_FORMAT is `tei`. */
  rerankModel: string;
  /** recall's environment for both models on this server. */
  env: Record<string, string>;
  /** The server's counters. */
  stats(): Promise<ModelServerStats>;
  /** Stops the server (a no-op for one given by the environment). */
  stop(): Promise<void>;
}

/** Installs (first time) and starts the server; rejects with an explanation when it cannot. */
export async function startLocalModels(): Promise<LocalModels> {
  const given = process.env.RECALL_TEST_MODEL_SERVER_URL;
  if (given) return describe(given.replace(/\/+$/, ''), async () => {});

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startScriptServer(KIND, {
    address: `127.0.0.1:${port}`,
    runArgs: () => [String(port)],
    ready: (child) => waitFor(KIND.name, child, () => healthy(url), `answer ${url}/health`, READY_TIMEOUT_MS),
  });
  return describe(url, () => server.stop());
}

function describe(url: string, stop: () => Promise<void>): LocalModels {
  const embedding = { model: 'bge-small-en-v1.5', dimension: 384, queryPrefix: BGE_QUERY_PREFIX };
  return {
    url,
    embedding,
    rerankModel: 'cross-encoder/ms-marco-MiniLM-L-12-v2',
    env: {
      EMBEDDING_URL: url,
      EMBEDDING_MODEL: embedding.model,
      EMBEDDING_DIMENSION: String(embedding.dimension),
      EMBEDDING_QUERY_PREFIX: embedding.queryPrefix,
      RERANK_URL: url,
      RERANK_FORMAT: 'tei',
    },
    async stats() {
      const response = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5_000) });
      if (!response.ok) throw new Error(`model server /stats answered ${response.status}`);
      return (await response.json()) as ModelServerStats;
    },
    stop,
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}
