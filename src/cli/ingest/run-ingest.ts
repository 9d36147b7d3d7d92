import type { Document } from '../../gen/recall/v1/search';
import { type UpsertBatch, createBatchSender } from './batch-sender';
import { createBatchSizer } from './batch-sizer';
import type { CheckpointTracker } from './checkpoint';
import { parseDocumentLine } from './document-line';
import { IngestReport } from './ingest-report';
import type { ReadLine } from './read-lines';
import type { RetryPolicy } from './retry-policy';
import { type BatchEntry, createUploadQueue } from './upload-queue';

/** How lines become batches and how batches are sent. */
export interface IngestRunOptions {
  /** Documents per UpsertDocuments call (the server takes at most SEARCH_LIMITS.documentsPerCall); the most, when adaptive. */
  batchSize: number;
  /**
   * When set, batches shrink while calls take longer than this (or outlive their deadline,
   * and are then split) and grow back to `batchSize` when they are fast again.
   */
  targetLatencyMs?: number;
  /** A batch is also sent once its lines add up to this many bytes, to stay under message limits. */
  maxBatchBytes: number;
  /** Batches in flight at once. */
  concurrency: number;
  retryPolicy: RetryPolicy;
  /** The first lines an earlier run finished (its checkpoint): read, but not sent again. */
  skipLines?: number;
}

/** The outside world of a run: the write, an optional interrupt and progress callback. */
export interface IngestRunDeps {
  upsert: UpsertBatch;
  /** Aborting it stops reading; batches already sent finish, the unsent ones count as failed. */
  interrupt?: AbortSignal;
  /** Called after each line with the bytes read so far. */
  onLine?: (bytesRead: number) => void;
  report?: IngestReport;
  /** Follows which lines are done, for `--resume`. */
  checkpoint?: CheckpointTracker;
}

/**
 * Reads every line, checks it, batches the valid documents and loads them; returns the
 * report. A repeated id keeps the later line: it replaces the earlier one in the batch being
 * filled, or is written after it. A stop (fatal error or interrupt) ends reading; everything
 * already sent is still awaited, so the report's `loaded` is exactly what was acknowledged.
 */
export async function runIngest(
  lines: AsyncIterable<ReadLine>,
  options: IngestRunOptions,
  deps: IngestRunDeps,
): Promise<IngestReport> {
  const report = deps.report ?? new IngestReport();
  const controller = new AbortController();
  const stop = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onInterrupt = () => stop('interrupted');
  if (deps.interrupt?.aborted) onInterrupt();
  deps.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const { sizer, queue } = startUploads(options, deps, report, controller.signal, stop);

  const lastLineById = new Map<string, number>();
  const open = new OpenBatch();
  let bytesRead = 0;
  let lastLine = 0;
  let stoppedEarly = false;
  const flush = async () => {
    const entries = open.take();
    if (entries.length > 0) await queue.submit(entries);
  };

  try {
    for await (const line of lines) {
      if (controller.signal.aborted) {
        stoppedEarly = true;
        break;
      }
      lastLine = line.lineNumber;
      bytesRead += line.bytes;
      deps.onLine?.(bytesRead);
      const document = acceptLine(line, options.skipLines ?? 0, report, deps.checkpoint, lastLineById);
      if (document === undefined) continue;
      const replaced = open.put({ lineNumber: line.lineNumber, document, bytes: line.bytes });
      if (replaced) {
        report.superseded += 1;
        deps.checkpoint?.settle([replaced.lineNumber]);
      }
      if (open.size >= (sizer?.size() ?? options.batchSize) || open.bytes >= options.maxBatchBytes) await flush();
    }
    await flush();
  } finally {
    await queue.drain();
    deps.checkpoint?.flush();
    deps.interrupt?.removeEventListener('abort', onInterrupt);
  }
  if (controller.signal.aborted) {
    report.stoppedReason = String(controller.signal.reason);
    if (stoppedEarly) report.stoppedAtLine = lastLine;
  }
  return report;
}

/** The batch sender (with its sizer when adaptive) behind a queue of bounded concurrency. */
function startUploads(
  options: IngestRunOptions,
  deps: IngestRunDeps,
  report: IngestReport,
  stopSignal: AbortSignal,
  stop: (reason: string) => void,
) {
  const sizer =
    options.targetLatencyMs === undefined ? undefined : createBatchSizer(options.batchSize, options.targetLatencyMs);
  const send = createBatchSender({
    upsert: deps.upsert,
    report,
    policy: options.retryPolicy,
    stopSignal,
    stop,
    onSettled: (lineNumbers) => deps.checkpoint?.settle(lineNumbers),
    ...(sizer !== undefined && { sizer }),
  });
  const queue = createUploadQueue({
    concurrency: options.concurrency,
    send,
    onUnexpected: (entries, error) => {
      const reason = `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
      for (const entry of entries) report.problem(entry.lineNumber, 'failed', reason);
      stop(reason);
    },
  });
  return { sizer, queue };
}

/**
 * Checks one line and counts it in the report (skipped, blank, invalid, a repeated id); the
 * document to load, or undefined. `lastLineById` remembers where each id was last seen.
 */
function acceptLine(
  line: ReadLine,
  skipLines: number,
  report: IngestReport,
  checkpoint: CheckpointTracker | undefined,
  lastLineById: Map<string, number>,
): Document | undefined {
  if (line.lineNumber <= skipLines) {
    checkpoint?.read(line.lineNumber, line.text, false);
    report.skipped += 1;
    return undefined;
  }
  report.linesRead += 1;
  const parsed = line.text.trim().length === 0 ? undefined : parseDocumentLine(line.text);
  checkpoint?.read(line.lineNumber, line.text, parsed?.ok === true);
  if (parsed === undefined) {
    report.blankLines += 1;
    return undefined;
  }
  if (!parsed.ok) {
    report.problem(line.lineNumber, 'invalid', parsed.reason);
    return undefined;
  }
  const { id } = parsed.document;
  const earlierLine = lastLineById.get(id);
  if (earlierLine !== undefined) {
    report.duplicates += 1;
    report.warn(`line ${line.lineNumber}: id ${quote(id)} also on line ${earlierLine}; the later line wins`);
  }
  lastLineById.set(id, line.lineNumber);
  return parsed.document;
}

type OpenEntry = BatchEntry & { bytes: number };

/** The batch being filled: one entry per document id, the later line replacing the earlier. */
class OpenBatch {
  private entries = new Map<string, OpenEntry>();
  /** The entries' line bytes added up. */
  bytes = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Adds the entry at the end; returns the entry of the same id it replaced, if any. */
  put(entry: OpenEntry): OpenEntry | undefined {
    const id = entry.document.id;
    const replaced = this.entries.get(id);
    if (replaced) {
      this.entries.delete(id);
      this.bytes -= replaced.bytes;
    }
    this.entries.set(id, entry);
    this.bytes += entry.bytes;
    return replaced;
  }

  /** Empties the batch; its entries in order. */
  take(): OpenEntry[] {
    const entries = [...this.entries.values()];
    this.entries = new Map();
    this.bytes = 0;
    return entries;
  }
}

function quote(id: string): string {
  return JSON.stringify(id.length > 80 ? `${id.slice(0, 77)}...` : id);
}
