import { performance } from 'node:perf_hooks';
import type { ServiceError } from '@grpc/grpc-js';

/** One call made by a load loop: when it started and ended (performance.now() ms) and its gRPC status (0 = OK). */
export interface CallRecord {
  caller: number;
  seq: number;
  start: number;
  end: number;
  code: number;
  details: string;
}

/** Load from several callers, each making one call after another until stopped. */
export interface Load {
  records: CallRecord[];
  /** Start times (performance.now() ms) of the calls running now. */
  inFlight(): number[];
  /** Stops issuing new calls and waits for the ones in flight. */
  stop(): Promise<void>;
}

/**
 * Starts `callers` loops; each calls `call(caller, seq)` back to back (pausing `pauseMs`
 * between calls) and records the outcome. A failed call is recorded, never thrown.
 */
export function startLoad(callers: number, call: (caller: number, seq: number) => Promise<unknown>, pauseMs = 0): Load {
  const records: CallRecord[] = [];
  const callsRunning = new Map<number, number>();
  let running = true;
  const loop = async (caller: number) => {
    for (let seq = 0; running; seq++) {
      const start = performance.now();
      callsRunning.set(caller, start);
      let code = 0;
      let details = '';
      try {
        await call(caller, seq);
      } catch (error) {
        code = (error as ServiceError).code ?? -1;
        details = (error as ServiceError).details ?? String(error);
      }
      callsRunning.delete(caller);
      records.push({ caller, seq, start, end: performance.now(), code, details });
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };
  const loops = Array.from({ length: callers }, (_, i) => loop(i));
  return {
    records,
    inFlight: () => [...callsRunning.values()],
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` every `everyMs` until it is true; resolves to the ms it took, or rejects after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 50,
): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return performance.now() - started;
    await sleep(everyMs);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}
