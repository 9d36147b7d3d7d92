/**
 * `tsx bench/ingest-throughput.ts [--dataset cranfield] [--docs N] [--sweep-docs 100]` (after
 * `npm run build`): load throughput through recall beside the embedding model's own, same
 * documents (the first N with `--docs`), same run. It starts the local all-MiniLM-L6-v2 server, finds the model's best
 * batch size and concurrency on the first documents, measures the model alone on all of them
 * at that setting, then times `npm run ingest` of the same documents into a fresh recall
 * (embedded default, EMBEDDING_URL at the model), then the model alone once more. Prints the
 * rates, the ratio (recall over the mean of the two model runs) and the load average, and
 * writes them under bench/results/. Run it with `nice`; the machine's load moves the figures.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmbeddingServer } from '../harness/embedding-server';
import { documentText, loadDataset } from './eval/dataset';
import { PROJECT_ROOT, startRecall } from './server/recall-process';

const BATCH_SIZES = [8, 32, 64];
const CONCURRENCIES = [1, 2, 4];

interface Setting {
  batchSize: number;
  concurrency: number;
}

/** Embeds `texts` straight from the model server in batches, `concurrency` at a time; docs/s. */
async function modelRate(url: string, texts: string[], { batchSize, concurrency }: Setting): Promise<number> {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += batchSize) batches.push(texts.slice(i, i + batchSize));
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const input = batches[next++]!;
      const response = await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'all-MiniLM-L6-v2', input }),
      });
      const body = (await response.json()) as { data?: unknown[] };
      if (!response.ok || body.data?.length !== input.length) throw new Error(`model answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return texts.length / ((performance.now() - started) / 1000);
}

/** Runs the built ingest CLI on `file`; resolves to docs/s by the wall clock and its summary line. */
function ingestRate(file: string, target: string, count: number): Promise<{ rate: number; summary: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        path.join(PROJECT_ROOT, 'dist', 'src', 'cli', 'ingest.js'),
        ...['-c', 'throughput', file, '--target', target, '-q'],
        ...['--checkpoint-dir', path.join(path.dirname(file), 'checkpoints')],
      ],
      { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const summary = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`ingest exited ${code}: ${stdout}`));
      else resolve({ rate: count / seconds, summary });
    });
  });
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const load = () => loadavg().map((x) => round(x, 1));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: 'cranfield' },
      docs: { type: 'string' },
      'sweep-docs': { type: 'string', default: '100' },
    },
  });
  const dataset = loadDataset(values.dataset!, PROJECT_ROOT);
  const docs = dataset.docs
    .slice(0, values.docs ? Number(values.docs) : undefined)
    .map((d) => ({ id: d.id, text: documentText(d) }));
  const texts = docs.map((d) => d.text);
  const scratch = mkdtempSync(path.join(tmpdir(), 'recall-ingest-throughput-'));
  const file = path.join(scratch, 'documents.jsonl');
  writeFileSync(file, `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
  const model = await startEmbeddingServer();
  const log = (line: string) => process.stderr.write(`ingest-throughput: ${line}\n`);
  try {
    log(`${dataset.name}: ${docs.length} documents; ${cpus().length} cores, load average ${load().join(' ')}`);
    await modelRate(model.url, texts.slice(0, 16), { batchSize: 16, concurrency: 1 });
    const sweep = texts.slice(0, Number(values['sweep-docs']));
    let best = { batchSize: 0, concurrency: 0, rate: 0 };
    for (const concurrency of CONCURRENCIES) {
      for (const batchSize of BATCH_SIZES) {
        const rate = await modelRate(model.url, sweep, { batchSize, concurrency });
        log(`model alone, batch ${batchSize} × ${concurrency} in flight: ${round(rate)} docs/s`);
        if (rate > best.rate) best = { batchSize, concurrency, rate };
      }
    }
    const loadBefore = load();
    const modelBefore = await modelRate(model.url, texts, best);
    log(`model alone, all documents at batch ${best.batchSize} × ${best.concurrency}: ${round(modelBefore)} docs/s`);

    const recall = await startRecall('ingest-throughput', {
      DATA_DIR: path.join(scratch, 'data'),
      EMBEDDING_URL: model.url,
      EMBEDDING_MODEL: model.model,
      EMBEDDING_DIMENSION: String(model.dimension),
    });
    let ingest: { rate: number; summary: string };
    try {
      ingest = await ingestRate(file, recall.grpcAddress, docs.length);
    } finally {
      await recall.stop();
    }
    log(`npm run ingest through recall: ${round(ingest.rate)} docs/s (${ingest.summary})`);
    const modelAfter = await modelRate(model.url, texts, best);
    log(`model alone again: ${round(modelAfter)} docs/s`);

    const modelMean = (modelBefore + modelAfter) / 2;
    const result = {
      at: new Date().toISOString(),
      dataset: dataset.name,
      documents: docs.length,
      cores: cpus().length,
      loadAverageBefore: loadBefore,
      loadAverageAfter: load(),
      modelBest: { batchSize: best.batchSize, concurrency: best.concurrency },
      modelDocsPerSecond: [round(modelBefore), round(modelAfter)],
      ingestDocsPerSecond: round(ingest.rate),
      ingestSummary: ingest.summary,
      ratio: round(ingest.rate / modelMean, 3),
    };
    const out = path.join(PROJECT_ROOT, 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, `ingest-throughput-${Date.now()}.json`), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(
      `model alone ${round(modelBefore)} / ${round(modelAfter)} docs/s (batch ${best.batchSize} × ${best.concurrency}), ` +
        `through recall ${round(ingest.rate)} docs/s: ratio ${result.ratio} (load average ${result.loadAverageBefore.join(' ')} → ${result.loadAverageAfter.join(' ')}, ${result.cores} cores)\n`,
    );
  } finally {
    await model.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ingest-throughput: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
