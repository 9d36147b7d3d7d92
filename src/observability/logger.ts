import pino, { type Logger } from 'pino';

/** Keys whose values never reach the log, wherever they appear one or two levels deep. */
const REDACT = [
  'password',
  'token',
  'apiKey',
  'authorization',
  'databaseUrl',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.databaseUrl',
];

/** Lines wait for this many bytes, or at most FLUSH_MS, before one write of stdout takes them all. */
const BATCH_BYTES = 8192;
const FLUSH_MS = 25;

/**
 * A JSON logger to stdout (or `destination`), with secrets redacted. Stdout is written in
 * batches (BATCH_BYTES, or every FLUSH_MS): one `rpc` line per call written on its own costs a
 * write and a thread-pool wake-up per call (docs/performance.md). pino flushes what is left
 * when the process exits, process.exit and a fatal error included; SIGKILL loses at most the
 * last FLUSH_MS.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'recall' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, periodicFlush: FLUSH_MS }),
  );
}

export type { Logger };
