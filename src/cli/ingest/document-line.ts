import { documentIdProblem, documentMetadataProblem, documentTextProblem } from '../../domain/search';
import type { Document } from '../../gen/recall/v1/search';

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
  // The server's own rules (docs/limits.md), so a bad line is reported before it is sent.
  if (typeof id !== 'string') problems.push(id === undefined ? 'id: is required' : 'id: must be a string');
  else {
    const problem = documentIdProblem(id);
    if (problem) problems.push(`id: ${problem}, got ${Buffer.byteLength(id)} bytes`);
  }
  if (typeof body !== 'string') problems.push(body === undefined ? 'text: is required' : 'text: must be a string');
  else {
    const problem = documentTextProblem(body);
    if (problem) problems.push(`text: ${problem}`);
  }
  if (metadata !== undefined && metadata !== null) {
    const problem = isPlainObject(metadata) ? documentMetadataProblem(metadata) : 'must be a JSON object';
    if (problem) problems.push(`metadata: ${problem}`);
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
