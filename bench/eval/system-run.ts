import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RecallClients, connectRecall } from '../clients';
import { type RecallProcess, startRecall } from '../recall-process';
import { type Dataset, type EvalQuery, documentText } from './dataset';
import type { DocVectors } from './doc-vectors';
import { EVAL_MODES } from './eval-modes';
import { type ModeScore, runMode } from './mode-run';

/** One recall configuration under test: the built-in embedder, the MiniLM server, or a given target. */
export interface EvalSystem {
  name: string;
  /** Environment of the recall process the eval starts (ignored with `target`). */
  env: Record<string, string>;
  /** host:port of a running recall to use instead of starting one. */
  target?: string;
  /** When set, documents are upserted with these vectors (cached) instead of being embedded by recall. */
  docVectors?: DocVectors;
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

/**
 * Starts recall for `system` (embedded stores in a temporary DATA_DIR, query-embedding cache
 * off so every search pays for its embedding), loads the documents through UpsertDocuments
 * and runs every mode over `queries`.
 */
export async function runSystem(
  system: EvalSystem,
  dataset: Dataset,
  queries: EvalQuery[],
  log: (line: string) => void,
): Promise<SystemResult> {
  const dataDir = system.target ? undefined : mkdtempSync(path.join(tmpdir(), 'recall-eval-'));
  let recall: RecallProcess | undefined;
  let clients: RecallClients | undefined;
  try {
    if (!system.target) {
      recall = await startRecall(`eval ${system.name}`, {
        DATA_DIR: dataDir!,
        EMBEDDING_CACHE_SIZE: '0',
        LOG_LEVEL: 'info',
        ...system.env,
      });
    }
    clients = connectRecall(system.target ?? recall!.grpcAddress);
    const collection = `eval_${dataset.name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`;
    const ingest = await load(clients, collection, dataset, system, log);
    // A few unmeasured searches first: the first calls of a fresh process pay for JIT and connections.
    for (const query of queries.slice(0, WARMUP_QUERIES)) {
      await clients.search.search({
        query: query.text,
        vector: [],
        collections: [collection],
        limit: 10,
        filters: [],
        rerank: 0,
        userId: '',
        skipGoldenAnswer: true,
        goldenAnswerOnly: false,
        retrieval: 0,
        fusion: 0,
        rrfK: 0,
      });
    }
    const modes: ModeScore[] = [];
    for (const mode of EVAL_MODES) {
      log(`${system.name}: ${mode.name}`);
      modes.push(await runMode(clients, collection, mode, queries, dataset.qrels));
    }
    return {
      system: system.name,
      backends: recall?.backends ?? { target: system.target },
      ingest,
      modes,
      problems: recall?.problems ?? [],
    };
  } finally {
    clients?.close();
    await recall?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
