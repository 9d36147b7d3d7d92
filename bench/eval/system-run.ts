import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SearchRequest } from '../../src/gen/recall/v1/search';
import { type RecallClients, connectRecall } from '../server/clients';
import { type RecallProcess, startRecall, withExitReason } from '../server/recall-process';
import { type Dataset, type EvalQuery, documentText } from './dataset';
import type { DocVectors } from './doc-vectors';
import { type EvalReranker, evalModes } from './eval-modes';
import { type ModeScore, runMode } from './mode-run';

/** One recall configuration under test: an embedder, or a given target. */
export interface EvalSystem {
  name: string;
  /** Environment of the recall process the eval starts (ignored with `target`). */
  env: Record<string, string>;
  /** host:port of a running recall to use instead of starting one. */
  target?: string;
  /** When set, documents are upserted with these vectors (cached) instead of being embedded by recall. */
  docVectors?: DocVectors;
}

/** The rerankers to run and, for the cross-encoder, where it is and how deep it reranks. */
export interface RerankSetup {
  rerankers: readonly EvalReranker[];
  crossEncoder?: { url: string; depth: number };
}

/** A system's results. */
export interface SystemResult {
  system: string;
  backends: Record<string, unknown>;
  ingest: { documents: number; ms: number; vectorsFromCache?: number; vectorsComputed?: number };
  modes: ModeScore[];
  problems: string[];
}

const UPSERT_BATCH = 64;
const WARMUP_QUERIES = 5;

/** The server variables of a reranker configuration (a TEI cross-encoder gets time: it runs on CPU here). */
function rerankerEnv(reranker: EvalReranker, setup: RerankSetup): Record<string, string> {
  if (reranker !== 'cross-encoder') return {};
  if (!setup.crossEncoder) throw new Error('the cross-encoder reranker needs its URL');
  return {
    RERANK_URL: setup.crossEncoder.url,
    RERANK_FORMAT: 'tei',
    RERANK_TIMEOUT_MS: '300000',
    SEARCH_RERANK_CANDIDATES: String(setup.crossEncoder.depth),
  };
}

/**
 * Starts recall for `system` (embedded stores in a temporary DATA_DIR, query-embedding cache
 * off so every search pays for its embedding), loads the documents through UpsertDocuments,
 * and runs the modes of each reranker configuration: one recall process per configuration
 * on the same DATA_DIR, so the documents are loaded once. A `target` runs every mode on
 * whatever reranker it has.
 */
export async function runSystem(
  system: EvalSystem,
  dataset: Dataset,
  queries: EvalQuery[],
  setup: RerankSetup,
  log: (line: string) => void,
): Promise<SystemResult> {
  const dataDir = system.target ? undefined : mkdtempSync(path.join(tmpdir(), 'recall-eval-'));
  const collection = `eval_${dataset.name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`;
  const modes: ModeScore[] = [];
  const problems: string[] = [];
  let backends: Record<string, unknown> = { target: system.target };
  let ingest: SystemResult['ingest'] | undefined;
  try {
    // The modes without a reranker run beside the built-in one: NEVER never calls it.
    const phases = setup.rerankers.filter((r) => r !== 'none');
    if (phases.length === 0 || system.target) phases.splice(0, phases.length, 'builtin');
    for (const phase of phases) {
      let recall: RecallProcess | undefined;
      let clients: RecallClients | undefined;
      try {
        if (!system.target) {
          const env = { DATA_DIR: dataDir!, EMBEDDING_CACHE_SIZE: '0', LOG_LEVEL: 'info', ...system.env };
          recall = await startRecall(`eval ${system.name}`, { ...env, ...rerankerEnv(phase, setup) });
          backends = recall.backends;
        }
        clients = connectRecall(system.target ?? recall!.grpcAddress);
        ingest ??= await load(clients, collection, dataset, system, log);
        await warmUp(clients, collection, queries);
        const wanted = system.target
          ? setup.rerankers
          : setup.rerankers.filter((r) => r === phase || (r === 'none' && phase === phases[0]));
        for (const mode of evalModes(wanted)) {
          log(`${system.name}: ${mode.name}`);
          const depth = mode.reranker === 'cross-encoder' ? (setup.crossEncoder?.depth ?? 0) : 0;
          modes.push(await runMode(clients, collection, mode, queries, dataset.qrels, depth));
        }
      } catch (error) {
        throw withExitReason(error, recall);
      } finally {
        clients?.close();
        await recall?.stop();
        problems.push(...(recall?.problems ?? []));
      }
    }
    return { system: system.name, backends, ingest: ingest!, modes, problems };
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A few unmeasured searches: the first calls of a fresh process pay for JIT and connections. */
async function warmUp(clients: RecallClients, collection: string, queries: EvalQuery[]): Promise<void> {
  for (const query of queries.slice(0, WARMUP_QUERIES)) {
    await clients.search.search(
      SearchRequest.fromPartial({ query: query.text, collections: [collection], limit: 10, skipGoldenAnswer: true }),
      { timeoutMs: 300_000 },
    );
  }
}

async function load(
  clients: RecallClients,
  collection: string,
  dataset: Dataset,
  system: EvalSystem,
  log: (line: string) => void,
): Promise<SystemResult['ingest']> {
  const started = performance.now();
  const texts = dataset.docs.map(documentText);
  let vectors: number[][] | undefined;
  if (system.docVectors) {
    vectors = await system.docVectors.embed(texts, (done) => {
      if (done % 256 === 0) log(`${system.name}: embedded ${done} new documents`);
    });
  }
  for (let start = 0; start < dataset.docs.length; start += UPSERT_BATCH) {
    const documents = dataset.docs.slice(start, start + UPSERT_BATCH).map((doc, i) => ({
      id: doc.id,
      text: texts[start + i]!,
      metadata: { title: doc.title },
      vector: vectors?.[start + i] ?? [],
    }));
    await clients.search.upsertDocuments({ collection, documents }, { timeoutMs: 600_000 });
  }
  return {
    documents: dataset.docs.length,
    ms: Math.round(performance.now() - started),
    ...(system.docVectors
      ? { vectorsFromCache: system.docVectors.stats.cached, vectorsComputed: system.docVectors.stats.computed }
      : {}),
  };
}
