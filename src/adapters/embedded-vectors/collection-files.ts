import { type FileHandle, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RecallError } from '../../domain/errors';
import { type StoredRecord, VectorCollection } from './vector-collection';

/**
 * The files of one collection directory:
 * - `collection.json`: `{ "dimension": N }`, written once, atomically; its presence is what
 *   makes the collection exist.
 * - `snapshot.jsonl`: every record at the last compaction, one JSON line each.
 * - `log.jsonl`: what happened since, one line per upserted record (`{"u":id,...}`) or
 *   delete (`{"d":[ids]}`), appended and fsynced before a write resolves.
 * Replaying the log over the snapshot is idempotent, so a crash at any step of a compaction
 * (snapshot renamed into place, then log truncated) loses nothing. A torn last log line (a
 * crash mid-append, never acknowledged) is cut off on open.
 */
export class CollectionFiles {
  private log: FileHandle | undefined;
  private logBytes = 0;
  private snapshotBytes = 0;

  private constructor(private readonly dir: string) {}

  /** Creates the directory and its descriptor; the collection exists once this resolves. */
  static async create(dir: string, dimension: number): Promise<CollectionFiles> {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeDurably(join(dir, 'collection.json'), `${JSON.stringify({ dimension })}\n`);
    await syncDirectory(join(dir, '..'));
    const files = new CollectionFiles(dir);
    files.log = await open(join(dir, 'log.jsonl'), 'a');
    return files;
  }

  /** The dimension recorded in `dir`, or undefined when no collection lives there. */
  static async dimension(dir: string): Promise<number | undefined> {
    const text = await readFile(join(dir, 'collection.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (text === undefined) return undefined;
    const dimension = (JSON.parse(text) as { dimension?: unknown }).dimension;
    if (typeof dimension !== 'number') throw corrupt(join(dir, 'collection.json'), 'no dimension');
    return dimension;
  }

  /** Opens an existing collection and rebuilds its state from snapshot and log. */
  static async load(dir: string, name: string, dimension: number): Promise<[CollectionFiles, VectorCollection]> {
    const files = new CollectionFiles(dir);
    const collection = new VectorCollection(name, dimension);
    files.snapshotBytes = await replay(join(dir, 'snapshot.jsonl'), collection, false);
    const logPath = join(dir, 'log.jsonl');
    files.logBytes = await replay(logPath, collection, true);
    files.log = await open(logPath, 'a');
    // Cut a torn tail so the next append starts on a line of its own.
    if ((await files.log.stat()).size > files.logBytes) await files.log.truncate(files.logBytes);
    return [files, collection];
  }

  /** Appends upserts and fsyncs them. */
  async appendUpserts(records: readonly StoredRecord[]): Promise<void> {
    await this.append(records.map(encodeRecord).join(''));
  }

  /** Appends a delete and fsyncs it. */
  async appendDelete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.append(`${JSON.stringify({ d: ids })}\n`);
  }

  /** Whether the log has outgrown the snapshot (and `minBytes`), so compaction pays off. */
  shouldCompact(minBytes: number): boolean {
    return this.logBytes > Math.max(minBytes, this.snapshotBytes);
  }

  /** Writes the collection's state as the new snapshot and empties the log. */
  async compact(collection: VectorCollection): Promise<void> {
    const path = join(this.dir, 'snapshot.jsonl');
    const tmp = `${path}.tmp`;
    const out = await open(tmp, 'w');
    let bytes = 0;
    try {
      let chunk: string[] = [];
      for (const record of collection.records()) {
        chunk.push(encodeRecord(record));
        if (chunk.length === 1000) {
          bytes += (await out.write(chunk.join(''))).bytesWritten;
          chunk = [];
        }
      }
      if (chunk.length > 0) bytes += (await out.write(chunk.join(''))).bytesWritten;
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(tmp, path);
    await syncDirectory(this.dir);
    await this.log?.truncate(0);
    await this.log?.sync();
    this.snapshotBytes = bytes;
    this.logBytes = 0;
  }

  async close(): Promise<void> {
    await this.log?.close();
    this.log = undefined;
  }

  private async append(text: string): Promise<void> {
    if (!this.log) throw new RecallError('internal', 'vector collection is closed');
    const { bytesWritten } = await this.log.write(text);
    await this.log.datasync();
    this.logBytes += bytesWritten;
  }
}

function encodeRecord(record: StoredRecord): string {
  const vector = Buffer.from(record.unit.buffer, record.unit.byteOffset, record.unit.byteLength).toString('base64');
  return `${JSON.stringify({ u: record.id, t: record.text, m: record.metadata, v: vector })}\n`;
}

interface Line {
  u?: string;
  t?: string;
  m?: StoredRecord['metadata'];
  v?: string;
  d?: string[];
}

/** Applies every line of `path` to `collection`; resolves to the bytes of complete lines. */
async function replay(path: string, collection: VectorCollection, tornTailAllowed: boolean): Promise<number> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) return 0;
  const file = await open(path, 'r');
  const buffer = Buffer.alloc(4 << 20);
  let carry = Buffer.alloc(0);
  let consumed = 0;
  let lineNumber = 0;
  try {
    for (let position = 0; position < size; ) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data =
        carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer.subarray(0, bytesRead);
      let start = 0;
      for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
        lineNumber++;
        applyLine(collection, data.toString('utf8', start, end), path, lineNumber);
        consumed += end + 1 - start;
        start = end + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
  } finally {
    await file.close();
  }
  if (carry.length > 0 && !tornTailAllowed) throw corrupt(path, 'last line is incomplete');
  return consumed;
}

function applyLine(collection: VectorCollection, text: string, path: string, lineNumber: number): void {
  let line: Line;
  try {
    line = JSON.parse(text) as Line;
  } catch (error) {
    throw corrupt(path, `line ${lineNumber} is not JSON`, error);
  }
  if (Array.isArray(line.d)) {
    for (const id of line.d) collection.remove(id);
    return;
  }
  if (typeof line.u !== 'string' || typeof line.v !== 'string') throw corrupt(path, `line ${lineNumber} is malformed`);
  const bytes = Buffer.from(line.v, 'base64');
  if (bytes.length !== collection.dimension * 4) throw corrupt(path, `line ${lineNumber} has a vector of wrong size`);
  const unit = new Float32Array(collection.dimension);
  new Uint8Array(unit.buffer).set(bytes);
  collection.put({ id: line.u, text: line.t ?? '', metadata: line.m ?? {}, unit });
}

function corrupt(path: string, what: string, cause?: unknown): RecallError {
  return new RecallError('internal', `vector store file ${path} is corrupt: ${what}`, { cause });
}

async function writeDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { flush: true });
  await rename(tmp, path);
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
