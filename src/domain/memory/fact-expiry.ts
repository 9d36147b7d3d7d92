import { type CallContext, contextWithTimeout } from '../context';
import type { MemoryRepository } from '../ports';
import type { FactIndex } from './fact-index';
import type { MemoryLogger } from './fact-recall';

/** What one sweep did. */
export interface SweepReport {
  /** Expired facts deleted, rows and vectors. */
  deleted: number;
  /** Users whose expired facts were (at least partly) deleted. */
  users: number;
  /** Users left for a later sweep because their fact lock was held (a write, another replica). */
  skipped: number;
  durationSeconds: number;
}

export interface FactSweeperOptions {
  /** Time between the end of one sweep and the start of the next; 0 disables start(). */
  intervalMs: number;
  /** Most facts one sweep deletes (bounded by what one fact-index delete takes). */
  batchSize: number;
  /** Longest a sweep may run (its database and index calls share this deadline). */
  timeoutMs?: number;
}

/** The expiry sweeper: deletes expired facts' rows and vectors in bounded batches. */
export interface FactSweeper {
  /** One sweep, now. */
  sweep(ctx?: CallContext): Promise<SweepReport>;
  /** Sweeps every intervalMs until stop(); nothing when intervalMs is 0. */
  start(): void;
  /** Stops the timer and waits for a sweep in progress; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Creates the sweeper. Each sweep reads the owners of the facts that expired first, then per
 * user deletes up to the rest of the batch under the user's fact lock — the lock AddFacts,
 * SupersedeFact, DeleteFacts and ForgetUser take — with the vectors removed inside the rows'
 * transaction: a sweep can never leave a vector without its row, nor delete a row whose vector
 * stays. The lock is only tried: a user whose lock is held (a write in progress, another
 * replica sweeping them) is left for the next sweep, so replicas share the work without
 * waiting on each other. Expired facts are never returned before they are swept.
 */
export function createFactSweeper(deps: {
  repository: MemoryRepository;
  factIndex?: FactIndex | undefined;
  options: FactSweeperOptions;
  logger?: MemoryLogger;
  /** Called after every sweep (metrics). */
  onSweep?: (report: SweepReport) => void;
}): FactSweeper {
  const { repository, factIndex, options, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const controller = new AbortController();

  async function sweep(ctx?: CallContext): Promise<SweepReport> {
    const started = performance.now();
    const context =
      ctx ??
      contextWithTimeout(options.timeoutMs ?? 60_000, {
        deadline: Number.POSITIVE_INFINITY,
        signal: controller.signal,
      });
    const report: SweepReport = { deleted: 0, users: 0, skipped: 0, durationSeconds: 0 };
    const owners = await repository.expiredFactOwners(options.batchSize, context);
    for (const userId of owners) {
      const budget = options.batchSize - report.deleted;
      if (budget <= 0 || stopped) break;
      const deleted = await repository.sweepExpiredFacts(userId, budget, context, async (ids) => {
        await factIndex?.remove(userId, ids, context);
      });
      if (deleted === undefined) report.skipped++;
      else if (deleted.length > 0) {
        report.deleted += deleted.length;
        report.users++;
      }
    }
    report.durationSeconds = (performance.now() - started) / 1000;
    deps.onSweep?.(report);
    if (report.deleted > 0 || report.skipped > 0) logger?.info?.({ ...report }, 'swept expired facts');
    return report;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep()
        .catch((error: unknown) => logger?.warn({ err: error }, 'sweeping expired facts failed'))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };

  return {
    sweep,
    start() {
      if (options.intervalMs > 0 && !timer && !stopped) schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      await running;
    },
  };
}
