import { InvalidArgumentError } from '../errors';
import { isInternalCollection } from '../internal-collections';
import { MEMORY_LIMITS } from '../memory/memory-validation';
import { LIMITS, NUL_PROBLEM, containsNul } from '../validation';

/**
 * Every SearchService limit, in one place: the gRPC layer, the vector stores and the ingest
 * CLI take theirs from here, and a unit test holds docs/limits.md's table to these values.
 * Lengths in bytes are UTF-8 bytes (what Milvus's VARCHAR `max_length` counts); lengths in
 * characters are JavaScript string lengths.
 */
export const SEARCH_LIMITS = Object.freeze({
  /** Search `query`, in characters; the same bound as RecallFacts'. */
  queryMaxLength: LIMITS.queryMaxLength,
  /** Hits returned when a search's `limit` is 0. */
  limitDefault: 10,
  /** Largest `limit` a search may ask for. */
  limitMax: 100,
  /** Collections one search may name. */
  collectionsPerSearch: 16,
  /** A collection name's length; internal names add a leading `_` to a name of this length. */
  collectionNameMaxLength: 64,
  /** Filters one search may carry. */
  filtersPerSearch: 16,
  /** Values of one caller's IN / NOT_IN filter. */
  valuesPerFilter: 100,
  /**
   * Values of one IN / NOT_IN filter a store accepts: recall's own callers send more than
   * callers may, since the fact index deletes a whole DeleteFacts batch with one filter.
   */
  storeValuesPerFilter: MEMORY_LIMITS.idsPerCall,
  /** A filter's field name, in characters. */
  filterFieldMaxLength: 64,
  /** Documents per UpsertDocuments, ids per DeleteDocuments. */
  documentsPerCall: 1000,
  /** A document id, in UTF-8 bytes: the Milvus schema's VARCHAR primary key holds no more. */
  documentIdMaxBytes: 256,
  /** A document's text, in UTF-8 bytes: the Milvus schema's VARCHAR text field. */
  documentTextMaxBytes: 65_535,
  /** A document's metadata, serialised as JSON, in UTF-8 bytes. */
  metadataMaxBytes: LIMITS.metadataMaxBytes,
  /** Nesting of a document's metadata: the object itself is level 1. */
  metadataMaxDepth: 32,
  /** A collection's vector dimension (Milvus's own maximum). */
  dimensionMax: 32_768,
  /** Results one store search may return (Milvus's top-k maximum). */
  storeTopKMax: 16_384,
  /** UpsertGoldenAnswer `question`, in characters. */
  goldenQuestionMaxLength: 4096,
  /** UpsertGoldenAnswer `answer`, in characters. */
  goldenAnswerMaxLength: 65_535,
  /** UpsertGoldenAnswer `sources`. */
  goldenSourcesMax: 100,
  /** One golden-answer source, in characters. */
  goldenSourceMaxLength: 2048,
});

const NAME_TAIL = SEARCH_LIMITS.collectionNameMaxLength - 1;

/** What a caller may name a collection: a letter, then letters, digits or underscores. */
export const COLLECTION_NAME_PATTERN = new RegExp(`^[A-Za-z][A-Za-z0-9_]{0,${NAME_TAIL}}$`);

/** What a store accepts: a caller's name, or an internal one (the same after a leading `_`). */
export const STORED_COLLECTION_NAME_PATTERN = new RegExp(`^_?[A-Za-z][A-Za-z0-9_]{0,${NAME_TAIL}}$`);

/** A filter's field: a top-level metadata key, safe to splice into a Milvus expression. */
export const FILTER_FIELD_PATTERN = new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,${SEARCH_LIMITS.filterFieldMaxLength - 1}}$`);

const COLLECTION_NAME_RULE = `must be 1-${SEARCH_LIMITS.collectionNameMaxLength} letters, digits or underscores, starting with a letter`;

/** What a caller is told for a collection name starting with `_`. */
export const RESERVED_COLLECTION_NAME = `${COLLECTION_NAME_RULE} (names starting with "_" are reserved for internal collections)`;

/** Why a caller may not use `name` as a collection, or undefined when it may. */
export function collectionNameProblem(name: string): string | undefined {
  if (isInternalCollection(name)) return RESERVED_COLLECTION_NAME;
  return COLLECTION_NAME_PATTERN.test(name) ? undefined : COLLECTION_NAME_RULE;
}

/** Why no store may hold a collection called `name` (internal names included), or undefined. */
export function storedCollectionNameProblem(name: unknown): string | undefined {
  return typeof name === 'string' && STORED_COLLECTION_NAME_PATTERN.test(name)
    ? undefined
    : `must match ${STORED_COLLECTION_NAME_PATTERN.source}`;
}

/** Throws InvalidArgumentError naming `field` when a caller targets an internal collection. */
export function assertPublicCollection(name: string, field: string): void {
  if (isInternalCollection(name)) throw InvalidArgumentError.of(field, RESERVED_COLLECTION_NAME);
}

/** Why `id` cannot be a document id (empty, or longer than the Milvus key in bytes), or undefined. */
export function documentIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > SEARCH_LIMITS.documentIdMaxBytes) {
    return `must be 1-${SEARCH_LIMITS.documentIdMaxBytes} bytes as UTF-8`;
  }
  // An id is a key callers type, log and compare: a NUL in it is a client's bug (and PostgreSQL cannot store one).
  return containsNul(id) ? NUL_PROBLEM : undefined;
}

/** Why `text` cannot be stored (over the text field's bytes), or undefined. Blank is allowed here. */
export function storedTextProblem(text: unknown): string | undefined {
  if (typeof text === 'string' && Buffer.byteLength(text) <= SEARCH_LIMITS.documentTextMaxBytes) return undefined;
  return `must be a string of at most ${SEARCH_LIMITS.documentTextMaxBytes} bytes`;
}

/** Why `text` cannot be a caller's document text (blank, holding U+0000, too long), or undefined. */
export function documentTextProblem(text: string): string | undefined {
  if (text.trim().length === 0) return 'must not be blank';
  if (containsNul(text)) return NUL_PROBLEM;
  return storedTextProblem(text);
}

/** Why `metadata` cannot be stored (not an object, nested too deep, too big as JSON), or undefined. */
export function metadataProblem(metadata: unknown): string | undefined {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return 'must be an object';
  // Depth first: it is bounded, and it keeps JSON.stringify away from pathological nesting.
  if (tooDeep(metadata, 1)) return `must be nested at most ${SEARCH_LIMITS.metadataMaxDepth} levels deep`;
  if (Buffer.byteLength(JSON.stringify(metadata)) > SEARCH_LIMITS.metadataMaxBytes) {
    return `must be at most ${SEARCH_LIMITS.metadataMaxBytes} bytes as JSON`;
  }
  return undefined;
}

/** Why `metadata` cannot be a caller's document metadata (see metadataProblem; no U+0000 either), or undefined. */
export function documentMetadataProblem(metadata: unknown): string | undefined {
  return metadataProblem(metadata) ?? (containsNul(metadata) ? `${NUL_PROBLEM} in a key or string` : undefined);
}

/** Why `vector` cannot be stored or searched with, or undefined. Cosine needs a direction. */
export function vectorProblem(vector: unknown): string | undefined {
  if (!Array.isArray(vector) || vector.length === 0) return 'must be a non-empty list of numbers';
  if (vector.length > SEARCH_LIMITS.dimensionMax) return `must have at most ${SEARCH_LIMITS.dimensionMax} dimensions`;
  let zero = true;
  for (const x of vector) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return 'must contain finite numbers only';
    if (x !== 0) zero = false;
  }
  return zero ? 'must not be all zeros (cosine similarity is undefined)' : undefined;
}

/** Why `dimension` cannot be a collection's, or undefined. */
export function dimensionProblem(dimension: number): string | undefined {
  return Number.isInteger(dimension) && dimension >= 1 && dimension <= SEARCH_LIMITS.dimensionMax
    ? undefined
    : `must be an integer from 1 to ${SEARCH_LIMITS.dimensionMax}`;
}

function tooDeep(value: object, depth: number): boolean {
  if (depth > SEARCH_LIMITS.metadataMaxDepth) return true;
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object' && tooDeep(child, depth + 1)) return true;
  }
  return false;
}
