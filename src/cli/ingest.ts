/**
 * `npm run ingest -- --collection NAME FILE.jsonl` bulk-loads documents through SearchService's
 * UpsertDocuments, in batches, with progress on stderr and a report on stdout: every line that
 * was not loaded (line number and reason), then a summary. `--direct` starts the service in
 * this process instead of calling a running one. See USAGE for the options and exit codes.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ConfigError } from '../config';
import { EXIT } from './exit-codes';
import {
  type CheckpointKey,
  type CheckpointTracker,
  checkpointHolds,
  checkpointPath,
  createCheckpointTracker,
  readCheckpoint,
} from './ingest/checkpoint';
import { type DirectService, startDirectService } from './ingest/direct-service';
import { createIngestClient } from './ingest/ingest-client';
import { type IngestOptions, USAGE, UsageError, parseIngestOptions } from './ingest/ingest-options';
import { IngestReport } from './ingest/ingest-report';
import { createProgressDisplay } from './ingest/progress-display';
import { readLines } from './ingest/read-lines';
import { runIngest } from './ingest/run-ingest';

const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
const EXIT_USAGE = EXIT.usage;
const EXIT_REFUSED = EXIT.startRefused;
const EXIT_INTERRUPTED = EXIT.interrupted;

/** `--direct` could not start its service: nothing was read or loaded. */
class StartRefusedError extends Error {}

async function openInput(file: string): Promise<{ input: Readable; totalBytes: number }> {
  if (file === '-') return { input: process.stdin, totalBytes: 0 };
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!info.isFile()) throw new UsageError(`${file} is not a file`);
  return { input: createReadStream(file), totalBytes: info.size };
}

/**
 * The checkpoint of this file, collection and service (none for standard input) and, with
 * `--resume`, how many leading lines an earlier run finished. UsageError when the file
 * changed within those lines since.
 */
async function openCheckpoint(options: IngestOptions): Promise<{ tracker?: CheckpointTracker; skipLines: number }> {
  if (options.file === '-') return { skipLines: 0 };
  const key: CheckpointKey = {
    file: path.resolve(options.file),
    collection: options.collection,
    target: options.direct ? `direct:${directStore()}` : (options.target ?? ''),
  };
  const file = checkpointPath(options.checkpointDir, key);
  const tracker = createCheckpointTracker(file, key);
  const checkpoint = options.resume ? readCheckpoint(file, key) : undefined;
  if (options.resume && !checkpoint) {
    process.stderr.write('ingest: --resume: no checkpoint of this file, collection and service; starting at line 1\n');
  }
  if (!checkpoint) return { tracker, skipLines: 0 };
  if (!(await checkpointHolds(readLines(createReadStream(options.file)), checkpoint))) {
    throw new UsageError(
      `--resume: ${options.file} changed within its first ${checkpoint.line} lines since the checkpoint; run without --resume`,
    );
  }
  process.stderr.write(`ingest: --resume: skipping lines 1-${checkpoint.line}, finished by an earlier run\n`);
  return { tracker, skipLines: checkpoint.line };
}

/** What `--direct` writes to, as far as the environment names it without secrets. */
function directStore(): string {
  return process.env.MILVUS_ADDRESS?.trim() || path.resolve(process.env.DATA_DIR?.trim() || 'data');
}

async function ingest(options: IngestOptions): Promise<number> {
  const { input, totalBytes } = await openInput(options.file);
  const { tracker, skipLines } = await openCheckpoint(options);
  let direct: DirectService | undefined;
  if (options.direct) {
    process.stderr.write('ingest: starting the service in this process (--direct)\n');
    try {
      direct = await startDirectService();
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new StartRefusedError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
  const client = createIngestClient({
    address: direct?.address ?? options.target ?? '',
    collection: options.collection,
    token: direct?.token ?? options.token,
    deadlineMs: options.deadlineMs,
    tls: options.tls,
    caFile: options.caFile,
    maxMessageBytes: direct?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  });

  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\ningest: interrupted; finishing the batches in flight (Ctrl-C again to quit now)\n');
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);

  const report = new IngestReport();
  const progress = createProgressDisplay({
    stream: process.stderr,
    report,
    totalBytes,
    style: options.quiet ? 'none' : process.stderr.isTTY ? 'bar' : 'lines',
  });
  try {
    await runIngest(
      readLines(input),
      {
        batchSize: options.batchSize,
        maxBatchBytes: MAX_BATCH_BYTES,
        concurrency: options.concurrency,
        retryPolicy: options.retryPolicy,
        // A third of the deadline: a call twice as slow as wanted still ends in time.
        targetLatencyMs: Math.ceil(options.deadlineMs / 3),
        skipLines,
      },
      {
        upsert: client.upsert,
        interrupt: interrupt.signal,
        onLine: (bytes) => progress.update(bytes),
        report,
        ...(tracker !== undefined && { checkpoint: tracker }),
      },
    );
  } finally {
    progress.stop();
    process.off('SIGINT', onSigint);
    client.close();
    await direct?.stop();
  }
  process.stdout.write(report.format(options.collection));
  return interrupt.signal.aborted ? EXIT_INTERRUPTED : report.exitCode;
}

async function main(): Promise<number> {
  try {
    const options = parseIngestOptions(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    return await ingest(options);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`ingest: ${error.message}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`ingest: invalid configuration: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof StartRefusedError) {
      process.stderr.write(`ingest: could not start the service (--direct): ${error.message}\n`);
      return EXIT_REFUSED;
    }
    throw error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`ingest: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
