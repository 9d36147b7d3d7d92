import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalModels } from '../../harness/local-models';
import { DEFAULT_SEARCH_OPTIONS } from '../../src/domain/search';
import { RerankMode, SearchRequest } from '../../src/gen/recall/v1/search';
import type { BenchOptions } from '../cli-options';
import type { Reporter } from '../report/progress';
import { fileStamp } from '../report/results-writer';
import { summarize } from '../report/stats';
import { connectRecall } from '../server/clients';
import { ensureBuild } from '../server/ensure-build';
import { startRecall } from '../server/recall-process';
import { type BenchQuery, generateCorpus } from '../workload/corpus';

/** One measured search. */
interface Sample {
  ms: number;
  rerankMs: number;
  reranked: boolean;
}

const ms = (x: number) => x.toFixed(0);

/**
 * `npm run bench -- --rerank-price DEPTHS`: what the real cross-encoder (ms-marco-MiniLM-L-12-v2
 * on the local model server) costs through Search. One collection of the generated corpus
 * on the embedded default; for each rerank depth (SEARCH_RERANK_CANDIDATES, one recall
 * process each on the same data) the same queries with RERANK_MODE_ALWAYS, one at a time:
 * p50/p95 of the whole call and of the rerank stage. Then, at the first depth, AUTO and
 * ALWAYS alternating query by query in one process: their p50/p95, the share AUTO skips,
 * and the early exit's saving (ALWAYS − AUTO on the queries AUTO skipped).
 */
export async function runRerankPrice(
  options: BenchOptions,
  depths: number[],
  reporter: Reporter,
  onCleanup: (cleanup: () => Promise<void>) => void,
): Promise<{ text: string; file: string }> {
  const corpus = generateCorpus({
    seed: options.seed,
    collections: 1,
    docsPerCollection: options.docsPerCollection,
    queries: options.queries,
    nearExactShare: options.nearExactShare,
    goldenAnswers: 0,
  });
  ensureBuild(reporter.log);
  const count = options.requests ?? 20;
  const queries = corpus.queries.slice(0, count);
  const collection = corpus.collections[0]!;
  reporter.log('starting the local model server (scripts/model-server.sh)');
  const models = await startLocalModels();
  onCleanup(models.stop);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-rerank-price-'));
  const search = async (clients: ReturnType<typeof connectRecall>, query: BenchQuery, rerank: RerankMode) => {
    const started = performance.now();
    const response = await clients.search.search(
      SearchRequest.fromPartial({
        query: query.text,
        collections: [collection.name],
        limit: 10,
        skipGoldenAnswer: true,
        rerank,
      }),
      { timeoutMs: 300_000 },
    );
    return { ms: performance.now() - started, rerankMs: response.timings?.rerankMs ?? 0, reranked: response.reranked };
  };
  const perDepth: { depth: number; call: ReturnType<typeof summarize>; rerank: ReturnType<typeof summarize> }[] = [];
  const auto: Sample[] = [];
  const always: Sample[] = [];
  try {
    for (const [i, depth] of depths.entries()) {
      const recall = await startRecall(`rerank depth ${depth}`, {
        DATA_DIR: dataDir,
        RERANK_URL: models.url,
        RERANK_FORMAT: 'tei',
        RERANK_TIMEOUT_MS: '300000',
        SEARCH_RERANK_CANDIDATES: String(depth),
      });
      onCleanup(async () => void (await recall.stop()));
      const clients = connectRecall(recall.grpcAddress);
      try {
        if (i === 0) {
          const documents = collection.documents.map((d) => ({ ...d, vector: [] }));
          for (let start = 0; start < documents.length; start += 250) {
            await clients.search.upsertDocuments(
              { collection: collection.name, documents: documents.slice(start, start + 250) },
              { timeoutMs: 300_000 },
            );
          }
        }
        await search(clients, queries[0]!, RerankMode.RERANK_MODE_ALWAYS); // warm-up
        reporter.log(`depth ${depth}: ${queries.length} searches, RERANK_MODE_ALWAYS`);
        const samples: Sample[] = [];
        for (const q of queries) samples.push(await search(clients, q, RerankMode.RERANK_MODE_ALWAYS));
        perDepth.push({
          depth,
          call: summarize(samples.map((s) => s.ms)),
          rerank: summarize(samples.map((s) => s.rerankMs)),
        });
        if (i === 0) {
          reporter.log(`depth ${depth}: AUTO and ALWAYS alternating`);
          for (const q of queries) {
            auto.push(await search(clients, q, RerankMode.RERANK_MODE_AUTO));
            always.push(await search(clients, q, RerankMode.RERANK_MODE_ALWAYS));
          }
        }
      } finally {
        clients.close();
        await recall.stop();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const skipped = auto.map((a, i) => (a.reranked ? undefined : always[i]!.ms - a.ms)).filter((x) => x !== undefined);
  const autoCall = summarize(auto.map((s) => s.ms));
  const alwaysCall = summarize(always.map((s) => s.ms));
  const saving = skipped.length ? skipped.reduce((a, b) => a + b, 0) / skipped.length : 0;
  const lines = [
    `Cross-encoder price through Search (${queries.length} queries, ${collection.documents.length} generated documents of ~20 words, limit 10, concurrency 1; fusion depth ${DEFAULT_SEARCH_OPTIONS.fusionDepth}):`,
    '',
    '| rerank depth | call p50 ms | call p95 ms | rerank p50 ms | rerank p95 ms |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...perDepth.map(
      (d) => `| ${d.depth} | ${ms(d.call.p50)} | ${ms(d.call.p95)} | ${ms(d.rerank.p50)} | ${ms(d.rerank.p95)} |`,
    ),
    '',
    `AUTO against ALWAYS at depth ${depths[0]}, alternating in one run:`,
    '',
    '| mode | p50 ms | p95 ms | reranked |',
    '| --- | ---: | ---: | ---: |',
    `| ALWAYS | ${ms(alwaysCall.p50)} | ${ms(alwaysCall.p95)} | ${always.filter((s) => s.reranked).length} of ${always.length} |`,
    `| AUTO | ${ms(autoCall.p50)} | ${ms(autoCall.p95)} | ${auto.filter((s) => s.reranked).length} of ${auto.length} |`,
    '',
    `AUTO / ALWAYS p50: ${(autoCall.p50 / alwaysCall.p50).toFixed(2)}×; the early exit saved ${ms(saving)} ms on each of the ${skipped.length} queries it skipped.`,
  ];
  mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `rerank-price-${fileStamp()}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ kind: 'recall-rerank-price', date: new Date().toISOString(), depths, queries: queries.length, perDepth, auto, always, savingMs: saving }, null, 2)}\n`,
  );
  return { text: lines.join('\n'), file };
}
