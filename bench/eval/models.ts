import path from 'node:path';
import { type EmbeddingServer, startEmbeddingServer } from '../../harness/embedding-server';
import { BGE_QUERY_PREFIX, type LocalModels, startLocalModels } from '../../harness/local-models';
import { PROJECT_ROOT } from '../server/recall-process';
import { createDocVectors } from './doc-vectors';
import type { EvalOptions } from './eval-options';
import { type RerankCache, startRerankCache } from './rerank-cache';
import type { EvalSystem, RerankSetup } from './system-run';

/** Shared by every run whatever its --out: vectors and rerank scores depend only on model and text. */
export const EVAL_CACHE_DIR = path.join(PROJECT_ROOT, 'bench', 'results', 'cache');

/** The systems and rerankers of a run, with the model servers they need started. */
export interface EvalModels {
  systems: EvalSystem[];
  rerank: RerankSetup;
  /** The cross-encoder cache's counters, when one runs. */
  rerankStats?: RerankCache['stats'];
  stop(): Promise<void>;
}

/** An OpenAI-compatible embedder as recall's configuration and the eval's document cache see it. */
function modelSystem(name: string, url: string, model: string, env: Record<string, string>, docCache: boolean) {
  return {
    name,
    env: { EMBEDDING_URL: url, EMBEDDING_MODEL: model, EMBEDDING_DIMENSION: '384', ...env },
    ...(docCache && { docVectors: createDocVectors({ url, model, cacheDir: EVAL_CACHE_DIR }) }),
  };
}

/** Starts what the options ask for (the MiniLM server, the cross-encoder's cache) once for every dataset. */
export async function startEvalModels(options: EvalOptions, log: (line: string) => void): Promise<EvalModels> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    const rerank: RerankSetup = { rerankers: options.rerankers };
    // The local model server (bge-small and the cross-encoder) for whichever has no URL given.
    let local: LocalModels | undefined;
    const localUrl = async () => {
      if (!local) {
        log('starting the local model server (scripts/model-server.sh: bge-small-en-v1.5, ms-marco-MiniLM-L-12-v2)');
        local = await startLocalModels();
        stops.push(local.stop);
      }
      return local.url;
    };
    let cache: RerankCache | undefined;
    if (options.rerankers.includes('cross-encoder') && !options.target) {
      cache = await startRerankCache({
        upstream: options.rerankUrl ?? (await localUrl()),
        model: 'ms-marco-MiniLM-L-12-v2',
        cacheDir: EVAL_CACHE_DIR,
        replay: options.rerankReplay,
      });
      stops.push(cache.stop);
      rerank.crossEncoder = { url: cache.url, depth: options.rerankDepth };
    }
    if (options.target) {
      return { systems: [{ name: `target ${options.target}`, env: {}, target: options.target }], rerank, stop };
    }
    const systems: EvalSystem[] = [];
    for (const name of options.systems) {
      if (name === 'builtin') systems.push({ name: 'built-in embedder', env: { ...options.serverEnv } });
      if (name === 'minilm') {
        log('starting the all-MiniLM-L6-v2 embedding server (scripts/embedding-server.sh)');
        const server: EmbeddingServer = await startEmbeddingServer();
        stops.push(server.stop);
        systems.push(modelSystem('all-MiniLM-L6-v2', server.url, server.model, options.serverEnv, options.docCache));
      }
      if (name === 'bge') {
        const url = options.bgeUrl ?? (await localUrl());
        const env = { EMBEDDING_QUERY_PREFIX: BGE_QUERY_PREFIX, ...options.serverEnv };
        systems.push(modelSystem('bge-small-en-v1.5', url, 'bge-small-en-v1.5', env, options.docCache));
      }
    }
    return { systems, rerank, ...(cache ? { rerankStats: cache.stats } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
