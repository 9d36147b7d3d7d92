import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What an earlier run of the same file into the same collection on the same service had
 * finished: every line up to `line` was loaded, rejected or invalid (none left to send).
 * `digest` is the SHA-256 of those lines (each with a newline), so a resumed run can tell
 * whether they are still the lines it would skip.
 */
export interface Checkpoint {
  version: 1;
  /** The input file's absolute path, the collection and the service, as this run names them. */
  file: string;
  collection: string;
  target: string;
  line: number;
  digest: string;
}

/** Which run a checkpoint belongs to. */
export type CheckpointKey = Pick<Checkpoint, 'file' | 'collection' | 'target'>;

/** The checkpoint file of `key` under `dir`: one per file, collection and service. */
export function checkpointPath(dir: string, key: CheckpointKey): string {
  const id = createHash('sha256')
    .update(JSON.stringify([key.file, key.collection, key.target]))
    .digest('hex');
  return path.join(dir, `${path.basename(key.file)}.${key.collection}.${id.slice(0, 12)}.json`);
}

/** The checkpoint at `file`, or undefined when there is none (or it belongs to another run). */
export function readCheckpoint(file: string, key: CheckpointKey): Checkpoint | undefined {
  let value: Partial<Checkpoint>;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as Partial<Checkpoint>;
  } catch {
    return undefined;
  }
  const matches =
    value.version === 1 &&
    value.file === key.file &&
    value.collection === key.collection &&
    value.target === key.target &&
    Number.isInteger(value.line) &&
    typeof value.digest === 'string';
  return matches ? (value as Checkpoint) : undefined;
}

/** The digest a checkpoint records for `lines` (the first lines of a file, as read). */
export function linesDigest(lines: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(`${line}\n`);
  return hash.digest('hex');
}

/**
 * True when the first `checkpoint.line` lines of `lines` are still the ones the checkpoint
 * recorded (a file that was only appended to passes; one edited before that line does not).
 */
export async function checkpointHolds(
  lines: AsyncIterable<{ text: string }>,
  checkpoint: Checkpoint,
): Promise<boolean> {
  if (checkpoint.line === 0) return true;
  const hash = createHash('sha256');
  let count = 0;
  for await (const line of lines) {
    hash.update(`${line.text}\n`);
    if (++count === checkpoint.line) return hash.digest('hex') === checkpoint.digest;
  }
  return false;
}

/** Follows a run line by line and keeps its checkpoint file up to date. */
export interface CheckpointTracker {
  /** Every line read, in order; `pending` when it is a document still to be acknowledged. */
  read(lineNumber: number, text: string, pending: boolean): void;
  /** Lines that need no more sending: acknowledged, rejected by the server, or replaced by a later line. */
  settle(lineNumbers: readonly number[]): void;
  /** The last line up to which everything is settled. */
  readonly line: number;
  /** Writes the checkpoint if it moved since the last write. */
  flush(): void;
}

/**
 * Creates a tracker writing to `file` (atomically: a temporary file renamed over it). The
 * checkpoint advances only over a prefix of the file in which every line is settled, since
 * batches are acknowledged out of order; a line that failed holds it back for good, so a
 * resumed run sends it again. Writes happen at most once per `settle` that moves it.
 */
export function createCheckpointTracker(file: string, key: CheckpointKey): CheckpointTracker {
  const hash = createHash('sha256');
  /** Pending lines in reading order, with the digest of the lines before each. */
  const queue: Array<{ lineNumber: number; digestBefore: string }> = [];
  const settled = new Set<number>();
  let lastRead = 0;
  let written = -1;
  let line = 0;
  let digest = linesDigest([]);

  const advance = () => {
    let head = queue[0];
    while (head && settled.delete(head.lineNumber)) {
      queue.shift();
      head = queue[0];
    }
    if (head) {
      line = head.lineNumber - 1;
      digest = head.digestBefore;
    } else {
      line = lastRead;
      digest = hash.copy().digest('hex');
    }
  };

  const flush = () => {
    if (line === written) return;
    const checkpoint: Checkpoint = { version: 1, ...key, line, digest };
    mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(checkpoint)}\n`);
    renameSync(temporary, file);
    written = line;
  };

  return {
    read(lineNumber, text, pending) {
      if (pending) queue.push({ lineNumber, digestBefore: hash.copy().digest('hex') });
      hash.update(`${text}\n`);
      lastRead = lineNumber;
    },
    settle(lineNumbers) {
      for (const n of lineNumbers) settled.add(n);
      advance();
      flush();
    },
    get line() {
      advance();
      return line;
    },
    flush() {
      advance();
      flush();
    },
  };
}
