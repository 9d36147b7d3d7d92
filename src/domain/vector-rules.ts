import { LIMITS, NUL_PROBLEM, containsNul } from './validation';

/**
 * The vector store port's contract: what a collection name, a record and a query must be for
 * any store to accept them, within what Milvus itself accepts. Every store enforces it (the
 * port's precondition, shared by recall's own writers: the search module, the fact index, the
 * ingest and re-embed tools), and the search module builds its callers' rules on it.
 * Lengths in bytes are UTF-8 bytes (what Milvus's VARCHAR `max_length` counts).
 */
export const VECTOR_LIMITS = Object.freeze({
  /** A public collection name's length; internal names add a leading `_` to a name of this length. */
  collectionNameMaxLength: 64,
  /** A filter's field name, in characters. */
  filterFieldMaxLength: 64,
  /**
   * Values of one IN / NOT_IN filter a store accepts: more than a search's caller may send,
   * since the fact index deletes a whole DeleteFacts batch with one filter.
   */
  storeValuesPerFilter: 1000,
  /** A record id, in UTF-8 bytes: the Milvus schema's VARCHAR primary key holds no more. */
  documentIdMaxBytes: 256,
  /** A record's text, in UTF-8 bytes: the Milvus schema's VARCHAR text field. */
  documentTextMaxBytes: 65_535,
  /** A record's metadata, serialised as JSON, in UTF-8 bytes. */
  metadataMaxBytes: LIMITS.metadataMaxBytes,
  /** Nesting of a record's metadata: the object itself is level 1. */
  metadataMaxDepth: 32,
  /** A collection's vector dimension (Milvus's own maximum). */
  dimensionMax: 32_768,
  /** Results one store search may return (Milvus's top-k maximum). */
  storeTopKMax: 16_384,
});

const NAME_TAIL = VECTOR_LIMITS.collectionNameMaxLength - 1;

/** What a store accepts: a caller's name, or an internal one (the same after a leading `_`). */
export const STORED_COLLECTION_NAME_PATTERN = new RegExp(`^_?[A-Za-z][A-Za-z0-9_]{0,${NAME_TAIL}}$`);

/** A filter's field: a top-level metadata key, safe to splice into a Milvus expression. */
export const FILTER_FIELD_PATTERN = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${VECTOR_LIMITS.filterFieldMaxLength - 1}}$`);

/** Why no store may hold a collection called `name` (internal names included), or undefined. */
export function storedCollectionNameProblem(name: unknown): string | undefined {
  return typeof name === 'string' && STORED_COLLECTION_NAME_PATTERN.test(name)
    ? undefined
    : `must match ${STORED_COLLECTION_NAME_PATTERN.source}`;
}

/** Why `id` cannot be a record id (empty, or longer than the Milvus key in bytes), or undefined. */
export function documentIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > VECTOR_LIMITS.documentIdMaxBytes) {
    return `must be 1-${VECTOR_LIMITS.documentIdMaxBytes} bytes as UTF-8`;
  }
  // An id is a key callers type, log and compare: a NUL in it is a client's bug (and PostgreSQL cannot store one).
  return containsNul(id) ? NUL_PROBLEM : undefined;
}

/** Why `text` cannot be stored (over the text field's bytes), or undefined. Blank is allowed here. */
export function storedTextProblem(text: unknown): string | undefined {
  if (typeof text === 'string' && Buffer.byteLength(text) <= VECTOR_LIMITS.documentTextMaxBytes) return undefined;
  return `must be a string of at most ${VECTOR_LIMITS.documentTextMaxBytes} bytes`;
}

/** Why `metadata` cannot be stored (not an object, nested too deep, too big as JSON), or undefined. */
export function metadataProblem(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return 'must be an object';
  // Depth first: it is bounded, and it keeps JSON.stringify away from pathological nesting.
  if (tooDeep(metadata, 1)) return `must be nested at most ${VECTOR_LIMITS.metadataMaxDepth} levels deep`;
  if (Buffer.byteLength(JSON.stringify(metadata)) > VECTOR_LIMITS.metadataMaxBytes) {
    return `must be at most ${VECTOR_LIMITS.metadataMaxBytes} bytes as JSON`;
  }
  return undefined;
}

/** Why `vector` cannot be stored or searched with, or undefined. Cosine needs a direction. */
export function vectorProblem(vector: unknown): string | undefined {
  if (!Array.isArray(vector) || vector.length === 0) return 'must be a non-empty list of numbers';
  if (vector.length > VECTOR_LIMITS.dimensionMax) return `must have at most ${VECTOR_LIMITS.dimensionMax} dimensions`;
  let zero = true;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return 'must contain finite numbers only';
    if (x !== 0) zero = false;
  }
  return zero ? 'must not be all zeros (cosine similarity is undefined)' : undefined;
}

/** Why `dimension` cannot be a collection's, or undefined. */
export function dimensionProblem(dimension: number): string | undefined {
  return Number.isInteger(dimension) && dimension >= 1 && dimension <= VECTOR_LIMITS.dimensionMax
    ? undefined
    : `must be an integer from 1 to ${VECTOR_LIMITS.dimensionMax}`;
}

function tooDeep(value: object, depth: number): boolean {
  if (depth > VECTOR_LIMITS.metadataMaxDepth) return true;
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object' && tooDeep(child, depth + 1)) return true;
  }
  return false;
}
