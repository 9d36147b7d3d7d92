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

/** A JSON logger to stdout (or `destination`), with secrets redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'recall' },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
