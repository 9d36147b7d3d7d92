import { ConfigError } from '../config';
import { UsageError } from './usage-error';

/**
 * The exit codes of every recall command — the server (`npm start`), `npm run migrate`,
 * `npm run ingest`, `npm run reindex` — in one table. The "Exit codes" table of docs/operations.md is compared
 * with it by test/unit/cli/exit-codes-readme.test.ts, so the two cannot drift apart.
 */
export const EXIT = {
  /** Done: a command did all its work; the server stopped cleanly on SIGTERM/SIGINT. */
  ok: 0,
  /** The work failed, or the server refused to start; retrying may help once the cause is gone. */
  failed: 1,
  /** A bad configuration variable or command-line argument: retrying cannot help until it is fixed. */
  usage: 2,
  /** `ingest --direct` could not start its service: nothing was loaded. */
  startRefused: 3,
  /** Interrupted by SIGINT before the work was done. */
  interrupted: 130,
} as const;

/** An exit code of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means to whoever runs recall (a supervisor, a script), as docs/operations.md shows it. */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  [EXIT.ok]: 'done: a command did all its work; the server stopped cleanly after SIGTERM or SIGINT',
  [EXIT.failed]:
    'the server refused to start (a backend unreachable, `DATA_DIR` held by another process, a port taken) or a command failed (`ingest`: some line not loaded); one line on stderr says why, and retrying may help once the cause is gone',
  [EXIT.usage]:
    'a bad configuration variable or command-line argument, named on stderr; nothing started, and retrying cannot help until it is fixed',
  [EXIT.startRefused]:
    '`ingest --direct` could not start its service (a server holds `DATA_DIR`, a backend is down); nothing loaded',
  [EXIT.interrupted]: 'interrupted (SIGINT) before the work was done (`ingest`)',
};

/** The code a command exits with for an error it did not handle itself: usage for a bad variable or argument, else failed. */
export function exitCodeFor(error: unknown): ExitCode {
  const parseArgsError =
    typeof (error as { code?: unknown })?.code === 'string' &&
    (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_');
  return error instanceof UsageError || error instanceof ConfigError || parseArgsError ? EXIT.usage : EXIT.failed;
}
