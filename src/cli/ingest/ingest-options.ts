import { parseArgs } from 'node:util';
import { SEARCH_LIMITS, collectionNameProblem } from '../../domain/search';
import { UsageError } from '../usage-error';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

/** The command line's help text. */
export const USAGE = `usage: npm run ingest -- --collection NAME FILE.jsonl [options]
  FILE.jsonl           one document per line: {"id","text","metadata"?,"vector"?}; "-" reads stdin
  -c, --collection     target collection (letters, digits, _; starts with a letter; <= ${SEARCH_LIMITS.collectionNameMaxLength})
  --target HOST:PORT   running service (default 127.0.0.1:$GRPC_PORT, GRPC_PORT defaulting to 50051)
  --direct             no running service: start one in this process from the same environment
                       (DATABASE_URL / MILVUS_ADDRESS or the embedded default under DATA_DIR)
  --batch-size N       documents per UpsertDocuments call, 1-${SEARCH_LIMITS.documentsPerCall} (default 100)
  --concurrency N      batches in flight, 1-64 (default 2)
  --deadline-ms N      deadline of each call (default 60000)
  --retries N          retries of a batch on UNAVAILABLE / DEADLINE_EXCEEDED (default ${DEFAULT_RETRY_POLICY.retries})
  --resume             skip the lines an earlier run of this file into this collection on this
                       service finished (its checkpoint); without it every line is sent again,
                       which is safe (an upsert replaces) but slower
  --checkpoint-dir DIR where checkpoints are kept (default .recall-ingest); one is written for any
                       FILE but "-", after each acknowledged batch
  --token TOKEN        bearer token (default: $AUTH_TOKEN)
  --tls, --ca FILE     connect with TLS (system CAs, or the CA in FILE)
  -q, --quiet          no progress output
exit code: 0 all valid lines loaded, 1 some line not loaded (the rest still is), 2 usage error,
3 --direct could not start the service (e.g. a server holds DATA_DIR; nothing loaded), 130 interrupted`;

export { UsageError };

/** The parsed command line. */
export interface IngestOptions {
  help: boolean;
  file: string;
  collection: string;
  /** Undefined in direct mode. */
  target: string | undefined;
  direct: boolean;
  batchSize: number;
  concurrency: number;
  deadlineMs: number;
  retryPolicy: RetryPolicy;
  resume: boolean;
  checkpointDir: string;
  token: string | undefined;
  tls: boolean;
  caFile: string | undefined;
  quiet: boolean;
}

/** Parses `argv` (without node and the script); throws UsageError. `env` supplies defaults. */
export function parseIngestOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): IngestOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [file] = positionals;
  const help = values.help ?? false;
  if (help) return { ...defaults(env), help };
  if (file === undefined || positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'a FILE.jsonl is required' : 'only one FILE.jsonl at a time');
  }
  const collection = values.collection ?? '';
  if (!collection) throw new UsageError('--collection is required');
  const problem = collectionNameProblem(collection);
  if (problem) throw new UsageError(`--collection ${problem}`);
  if (values.direct && values.target !== undefined) throw new UsageError('--direct and --target exclude each other');
  if (values.ca !== undefined && !values.tls) throw new UsageError('--ca needs --tls');
  if (values.direct && values.tls) throw new UsageError('--tls does not apply to --direct');
  if (values.resume && file === '-') throw new UsageError('--resume needs a FILE, not standard input');
  const base = defaults(env);
  return {
    help: false,
    file,
    collection,
    target: values.direct ? undefined : (values.target ?? base.target),
    direct: values.direct ?? false,
    batchSize: integer('--batch-size', values['batch-size'], base.batchSize, 1, SEARCH_LIMITS.documentsPerCall),
    concurrency: integer('--concurrency', values.concurrency, base.concurrency, 1, 64),
    deadlineMs: integer('--deadline-ms', values['deadline-ms'], base.deadlineMs, 1, 3_600_000),
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      retries: integer('--retries', values.retries, DEFAULT_RETRY_POLICY.retries, 0, 100),
    },
    resume: values.resume ?? false,
    checkpointDir: values['checkpoint-dir'] ?? base.checkpointDir,
    token: values.token ?? base.token,
    tls: values.tls ?? false,
    caFile: values.ca,
    quiet: values.quiet ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      collection: { type: 'string', short: 'c' },
      target: { type: 'string' },
      direct: { type: 'boolean' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      'deadline-ms': { type: 'string' },
      retries: { type: 'string' },
      resume: { type: 'boolean' },
      'checkpoint-dir': { type: 'string' },
      token: { type: 'string' },
      tls: { type: 'boolean' },
      ca: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function defaults(env: NodeJS.ProcessEnv): IngestOptions {
  return {
    help: false,
    file: '',
    collection: '',
    target: `127.0.0.1:${env.GRPC_PORT?.trim() || '50051'}`,
    direct: false,
    batchSize: 100,
    concurrency: 2,
    deadlineMs: 60_000,
    retryPolicy: DEFAULT_RETRY_POLICY,
    resume: false,
    checkpointDir: '.recall-ingest',
    token: env.AUTH_TOKEN?.trim() || undefined,
    tls: false,
    caFile: undefined,
    quiet: false,
  };
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
  return n;
}
