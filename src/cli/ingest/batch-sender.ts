import { setTimeout as sleep } from 'node:timers/promises';
import { type Metadata, status } from '@grpc/grpc-js';
import type { Document } from '../../gen/recall/v1/search';
import type { BatchSizer } from './batch-sizer';
import { fieldViolations, violationsByDocument } from './field-violations';
import type { IngestReport } from './ingest-report';
import { type RetryPolicy, backoffDelayMs, isRetryable } from './retry-policy';
import type { BatchEntry, SendBatch } from './upload-queue';

/** Writes one batch; resolves only when the server acknowledged every document (OK status). */
export type UpsertBatch = (documents: Document[]) => Promise<void>;

/** What the sender needs: the write, the tally, the retry policy and the run's stop switch. */
export interface BatchSenderDeps {
  upsert: UpsertBatch;
  report: IngestReport;
  policy: RetryPolicy;
  /** Aborted when the run stops; its reason (a string) says why. */
  stopSignal: AbortSignal;
  /** Stops the whole run: no more lines are read and no more batches sent. */
  stop: (reason: string) => void;
  /** Waits before a retry; rejects when the signal aborts. */
  wait?: (ms: number, signal: AbortSignal) => Promise<unknown>;
  /** Told the lines that need no more sending (acknowledged, or rejected by the server). */
  onSettled?: (lineNumbers: number[]) => void;
  /** Learns from each call's latency; with it, a batch that outlives its deadline is split in two. */
  sizer?: BatchSizer;
  now?: () => number;
}

/**
 * Creates the function that sends a batch to the end. With a sizer, a batch of several
 * documents that ends DEADLINE_EXCEEDED is split and its halves sent one after the other
 * (no retry used up: the batch was too big for the service's pace, not refused). UNAVAILABLE
 * and DEADLINE_EXCEEDED are otherwise retried with backoff. INVALID_ARGUMENT naming `documents[i]…` marks those lines rejected and
 * sends the rest again. Anything else, exhausted retries, or a rejection of the request as a
 * whole stops the run; the batch's lines count as failed. Only an OK counts as loaded.
 */
export function createBatchSender(deps: BatchSenderDeps): SendBatch {
  const { upsert, report, policy, stopSignal, stop, sizer } = deps;
  const now = deps.now ?? Date.now;
  const settle = (entries: BatchEntry[]) => deps.onSettled?.(entries.map((entry) => entry.lineNumber));
  const wait = deps.wait ?? ((ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }));
  const fail = (entries: BatchEntry[], reason: string) => {
    for (const entry of entries) report.problem(entry.lineNumber, 'failed', reason);
  };

  const sendBatch = async (entries: BatchEntry[]): Promise<void> => {
    let pending = entries;
    let retry = 0;
    while (pending.length > 0) {
      if (stopSignal.aborted) {
        fail(pending, `not sent: ${String(stopSignal.reason)}`);
        return;
      }
      const startedAt = now();
      try {
        await upsert(pending.map((entry) => entry.document));
        sizer?.answered(startedAt, now() - startedAt);
        report.loaded += pending.length;
        report.batches += 1;
        settle(pending);
        return;
      } catch (error) {
        const code = codeOf(error);
        if (code === status.DEADLINE_EXCEEDED && sizer) {
          sizer.timedOut(startedAt);
          if (pending.length > 1) {
            const middle = Math.ceil(pending.length / 2);
            await sendBatch(pending.slice(0, middle));
            await sendBatch(pending.slice(middle));
            return;
          }
        }
        if (code === status.INVALID_ARGUMENT) {
          const kept = dropRejected(pending, error, report);
          if (kept) {
            settle(pending.filter((entry) => !kept.includes(entry)));
            pending = kept;
            continue;
          }
        } else if (isRetryable(code) && retry < policy.retries) {
          retry += 1;
          report.retries += 1;
          try {
            await wait(backoffDelayMs(policy, retry), stopSignal);
          } catch {
            // Aborted while waiting: the check at the top of the loop reports the batch.
          }
          continue;
        }
        const reason = describe(error, retry);
        fail(pending, reason);
        stop(reason);
        return;
      }
    }
  };
  return sendBatch;
}

/**
 * Marks the documents an INVALID_ARGUMENT names as rejected and returns the others; undefined
 * when the error names no document of this batch or names the request itself (e.g. the
 * collection), which resending cannot fix.
 */
function dropRejected(pending: BatchEntry[], error: unknown, report: IngestReport): BatchEntry[] | undefined {
  const { byIndex, other } = violationsByDocument(fieldViolations(error as { details?: string; metadata?: Metadata }));
  const inRange = [...byIndex].filter(([i]) => i < pending.length);
  if (other.length > 0 || inRange.length === 0) return undefined;
  for (const [i, reasons] of inRange) {
    const entry = pending[i];
    if (entry) report.problem(entry.lineNumber, 'rejected', `${reasons.join('; ')} (server)`);
  }
  return pending.filter((_, i) => !byIndex.has(i));
}

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function describe(error: unknown, retries: number): string {
  const code = codeOf(error);
  const name = code === undefined ? 'error' : (status[code] ?? `code ${code}`);
  const details = (error as { details?: unknown } | null)?.details;
  const message = typeof details === 'string' && details ? details : (error as Error)?.message;
  const after = retries > 0 ? ` after ${retries} retries` : '';
  return `${name}${after}: ${message ?? String(error)}`;
}
