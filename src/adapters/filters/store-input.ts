import { FailedPreconditionError, type FieldViolation, InvalidArgumentError } from '../../domain/errors';
import type { VectorQuery, VectorRecord } from '../../domain/ports';

/**
 * Input checks shared by both vector stores, so that they refuse the same things with the
 * same errors. Limits are Milvus's: a collection name is an identifier of at most 255
 * characters, ids and texts are VarChars of 256 and 65 535 UTF-8 bytes.
 */
export const COLLECTION_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
export const MAX_ID_BYTES = 256;
export const MAX_TEXT_BYTES = 65_535;
export const MAX_DIMENSION = 32_768;
export const MAX_SEARCH_LIMIT = 16_384;

/** Throws InvalidArgumentError (field `collection`) for a name no store accepts. */
export function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || !COLLECTION_NAME_PATTERN.test(name)) {
    throw InvalidArgumentError.of('collection', `must match ${COLLECTION_NAME_PATTERN.source}`);
  }
}

/** Throws InvalidArgumentError (field `dimension`) unless 1 ≤ dimension ≤ MAX_DIMENSION. */
export function assertDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw InvalidArgumentError.of('dimension', `must be an integer from 1 to ${MAX_DIMENSION}`);
  }
}

/** The error for a vector whose length is not the collection's dimension. */
export function dimensionMismatch(collection: string, expected: number, actual: number): FailedPreconditionError {
  return new FailedPreconditionError(
    `collection "${collection}" holds vectors of dimension ${expected}, got dimension ${actual}`,
  );
}

/**
 * Checks records for `collection` of `dimension`: InvalidArgumentError naming `records[i].…`
 * for a bad id, text, metadata or vector value; FailedPreconditionError for a wrong length.
 */
export function assertRecords(collection: string, records: readonly VectorRecord[], dimension: number): void {
  const violations: FieldViolation[] = [];
  records.forEach((record, i) => {
    const idProblem = idViolation(record.id);
    if (idProblem) violations.push({ field: `records[${i}].id`, description: idProblem });
    if (typeof record.text !== 'string' || Buffer.byteLength(record.text) > MAX_TEXT_BYTES) {
      violations.push({
        field: `records[${i}].text`,
        description: `must be a string of at most ${MAX_TEXT_BYTES} bytes`,
      });
    }
    if (record.metadata === null || typeof record.metadata !== 'object' || Array.isArray(record.metadata)) {
      violations.push({ field: `records[${i}].metadata`, description: 'must be an object' });
    }
    const problem = vectorViolation(record.vector);
    if (problem) violations.push({ field: `records[${i}].vector`, description: problem });
  });
  if (violations.length > 0) throw new InvalidArgumentError(violations);
  for (const record of records) {
    if (record.vector.length !== dimension) throw dimensionMismatch(collection, dimension, record.vector.length);
  }
}

/** Throws InvalidArgumentError naming `ids[i]` for an empty or over-long id. */
export function assertIds(ids: readonly string[]): void {
  const violations: FieldViolation[] = [];
  ids.forEach((id, i) => {
    const problem = idViolation(id);
    if (problem) violations.push({ field: `ids[${i}]`, description: problem });
  });
  if (violations.length > 0) throw new InvalidArgumentError(violations);
}

/** Checks a query's limit and vector against a collection of `dimension`. */
export function assertQuery(collection: string, query: VectorQuery, dimension: number): void {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_SEARCH_LIMIT) {
    throw InvalidArgumentError.of('limit', `must be an integer from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  const problem = vectorViolation(query.vector);
  if (problem) throw InvalidArgumentError.of('vector', problem);
  if (query.vector.length !== dimension) throw dimensionMismatch(collection, dimension, query.vector.length);
}

/** The records with duplicate ids removed, the last of each id winning, in first-seen order. */
export function lastPerId(records: readonly VectorRecord[]): VectorRecord[] {
  const byId = new Map<string, VectorRecord>();
  for (const record of records) byId.set(record.id, record);
  return [...byId.values()];
}

function idViolation(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > MAX_ID_BYTES) {
    return `must be a non-empty string of at most ${MAX_ID_BYTES} bytes`;
  }
  return undefined;
}

/** Cosine similarity needs a direction: finite components, not all zero. */
function vectorViolation(vector: unknown): string | undefined {
  if (!Array.isArray(vector) || vector.length === 0) return 'must be a non-empty list of numbers';
  let zero = true;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return 'must contain finite numbers only';
    if (x !== 0) zero = false;
  }
  return zero ? 'must not be all zeros (cosine similarity is undefined)' : undefined;
}
