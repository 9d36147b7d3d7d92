/** How many documents the next UpsertDocuments call carries, learned from how the last ones went. */
export interface BatchSizer {
  /** Documents for the next batch, within [1, max]. */
  size(): number;
  /** A call of `documents` sent at `startedAt` was acknowledged `latencyMs` later. */
  answered(startedAt: number, latencyMs: number): void;
  /** A call sent at `startedAt` ran out of its deadline. */
  timedOut(startedAt: number): void;
}

/**
 * Starts at `max` and halves when a call outlives its deadline or takes longer than
 * `targetMs` (once per such episode: calls sent before a cut report the old size), then grows
 * back by a tenth of `max` per call answered within the target. A service slowed by its model
 * thus gets batches it can answer within the deadline, instead of retries of the same batch.
 */
export function createBatchSizer(max: number, targetMs: number, now: () => number = Date.now): BatchSizer {
  let size = max;
  let lastCutAt = Number.NEGATIVE_INFINITY;
  const step = Math.max(1, Math.ceil(max / 10));
  const cut = (startedAt: number) => {
    if (startedAt <= lastCutAt) return;
    size = Math.max(1, Math.floor(size / 2));
    lastCutAt = now();
  };
  return {
    size: () => size,
    answered(startedAt, latencyMs) {
      if (latencyMs > targetMs) cut(startedAt);
      else size = Math.min(max, size + step);
    },
    timedOut: cut,
  };
}
