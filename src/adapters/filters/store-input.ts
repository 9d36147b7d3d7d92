import { FailedPreconditionError, type FieldViolation, InvalidArgumentError } from '../../domain/errors';
import type { VectorQuery, VectorRecord } from '../../domain/ports';
import {
  VECTOR_LIMITS,
  dimensionProblem,
  documentIdProblem,
  metadataProblem,
  storedCollectionNameProblem,
  storedTextProblem,
  vectorProblem,
} from '../../domain/vector-rules';

/*
 * The vector port's preconditions, enforced by both stores so that they refuse the same things
 * with the same errors. The rules and limits are the port's contract (domain/vector-rules.ts),
 * within what Milvus accepts. The use cases validate callers' requests first; these guard the
 * port itself for every writer, recall's own tools included, and keep a Milvus expression safe.
 */

/** Throws InvalidArgumentError (field `collection`) for a name no store accepts. */
export function validateStoreCollectionName(name: string): void {
  const problem = storedCollectionNameProblem(name);
  if (problem) throw InvalidArgumentError.of('collection', problem);
}

/** Throws InvalidArgumentError (field `dimension`) unless 1 ≤ dimension ≤ VECTOR_LIMITS.dimensionMax. */
export function validateStoreDimension(dimension: number): void {
  const problem = dimensionProblem(dimension);
  if (problem) throw InvalidArgumentError.of('dimension', problem);
}

/** The error for a vector whose length is not the collection's dimension. */
export function dimensionMismatch(collection: string, expected: number, actual: number): FailedPreconditionError {
  return new FailedPreconditionError(
    `collection "${collection}" holds vectors of dimension ${expected}, got dimension ${actual}`,
  );
}

/**
 * FailedPreconditionError naming the collection and both dimensions when an existing
 * collection of dimension `actual` is asked for with dimension `wanted` (both stores).
 */
export function validateStoreCollectionDimension(name: string, actual: number, wanted: number): void {
  if (actual !== wanted) {
    throw new FailedPreconditionError(
      `collection "${name}" exists with dimension ${actual}, which differs from the requested dimension ${wanted}`,
    );
  }
}

/**
 * Checks records for `collection` of `dimension`: InvalidArgumentError naming `records[i].…`
 * for a bad id, text, metadata or vector value; FailedPreconditionError for a wrong length.
 */
export function validateStoreRecords(collection: string, records: readonly VectorRecord[], dimension: number): void {
  const violations: FieldViolation[] = [];
  records.forEach((record, i) => {
    const checks: Array<[string, string | undefined]> = [
      ['id', documentIdProblem(record.id)],
      ['text', storedTextProblem(record.text)],
      ['metadata', metadataProblem(record.metadata)],
      ['vector', vectorProblem(record.vector)],
    ];
    for (const [name, problem] of checks) {
      if (problem) violations.push({ field: `records[${i}].${name}`, description: problem });
    }
  });
  if (violations.length > 0) throw new InvalidArgumentError(violations);
  for (const record of records) {
    if (record.vector.length !== dimension) throw dimensionMismatch(collection, dimension, record.vector.length);
  }
}

/** Throws InvalidArgumentError naming `ids[i]` for an empty or over-long id. */
export function validateStoreIds(ids: readonly string[]): void {
  const violations: FieldViolation[] = [];
  ids.forEach((id, i) => {
    const problem = documentIdProblem(id);
    if (problem) violations.push({ field: `ids[${i}]`, description: problem });
  });
  if (violations.length > 0) throw new InvalidArgumentError(violations);
}

/** Checks a query's limit and vector against a collection of `dimension`. */
export function validateStoreQuery(collection: string, query: VectorQuery, dimension: number): void {
  const max = VECTOR_LIMITS.storeTopKMax;
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > max) {
    throw InvalidArgumentError.of('limit', `must be an integer from 1 to ${max}`);
  }
  const problem = vectorProblem(query.vector);
  if (problem) throw InvalidArgumentError.of('vector', problem);
  if (query.vector.length !== dimension) throw dimensionMismatch(collection, dimension, query.vector.length);
}

/** The records with duplicate ids removed, the last of each id winning, in first-seen order. */
export function lastPerId(records: readonly VectorRecord[]): VectorRecord[] {
  const byId = new Map<string, VectorRecord>();
  for (const record of records) byId.set(record.id, record);
  return [...byId.values()];
}
