import type { Document } from '../../gen/recall/v1/search';

/** Client-side limits, the same as the server's (README "Limits"); the server stays authoritative. */
export const DOCUMENT_LIMITS = {
  idMaxLength: 256,
  textMaxBytes: 65_535,
  metadataMaxBytes: 16 * 1024,
} as const;

/** One line of the input file, as read. */
export interface SourceLine {
  /** 1-based line number in the file. */
  lineNumber: number;
  text: string;
}

/** The outcome of checking one line: a document ready to send, or why the line is unusable. */
export type ParsedLine = { ok: true; document: Document } | { ok: false; reason: string };

/**
 * Parses and checks one JSONL line: `{"id", "text", "metadata"?, "vector"?}`. Unknown keys
 * are ignored. Every problem of the line is listed, separated by "; ".
 */
export function parseDocumentLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `malformed JSON (${(error as Error).message})` };
  }
  if (!isPlainObject(value)) return { ok: false, reason: 'not a JSON object' };

  const problems: string[] = [];
  const { id, text: body, metadata, vector } = value;
  if (typeof id !== 'string') problems.push(id === undefined ? 'id: is required' : 'id: must be a string');
  else if (id.length === 0 || id.length > DOCUMENT_LIMITS.idMaxLength) {
    problems.push(`id: must be 1-${DOCUMENT_LIMITS.idMaxLength} characters, got ${id.length}`);
  }
  if (typeof body !== 'string') problems.push(body === undefined ? 'text: is required' : 'text: must be a string');
  else if (body.trim().length === 0) problems.push('text: must not be blank');
  else if (Buffer.byteLength(body) > DOCUMENT_LIMITS.textMaxBytes) {
    problems.push(`text: must be at most ${DOCUMENT_LIMITS.textMaxBytes} bytes`);
  }
  if (metadata !== undefined && metadata !== null) {
    if (!isPlainObject(metadata)) problems.push('metadata: must be a JSON object');
    else if (Buffer.byteLength(JSON.stringify(metadata)) > DOCUMENT_LIMITS.metadataMaxBytes) {
      problems.push(`metadata: must be at most ${DOCUMENT_LIMITS.metadataMaxBytes} bytes as JSON`);
    }
  }
  if (vector !== undefined && vector !== null) {
    if (!Array.isArray(vector)) problems.push('vector: must be an array of numbers');
    else {
      const at = vector.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
      if (at >= 0) problems.push(`vector[${at}]: must be a finite number, got ${JSON.stringify(vector[at])}`);
    }
  }
  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return {
    ok: true,
    document: {
      id: id as string,
      text: body as string,
      metadata: isPlainObject(metadata) ? metadata : {},
      vector: Array.isArray(vector) ? (vector as number[]) : [],
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
