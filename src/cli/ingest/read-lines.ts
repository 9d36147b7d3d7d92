import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { SourceLine } from './document-line';

/** A line of the input with its size in bytes (newline included), for progress by bytes. */
export interface ReadLine extends SourceLine {
  bytes: number;
}

/**
 * Streams `input` line by line (LF or CRLF), numbering lines from 1 and dropping a leading
 * byte-order mark. readline pauses the stream while the consumer is busy, so the file is
 * never held in memory.
 */
export async function* readLines(input: Readable): AsyncGenerator<ReadLine> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber += 1;
      const text = lineNumber === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
      yield { lineNumber, text, bytes: Buffer.byteLength(raw) + 1 };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
