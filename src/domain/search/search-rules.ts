import { isInternalCollection } from '../internal-collections';
import { LIMITS, NUL_PROBLEM, containsNul } from '../validation';
import { VECTOR_LIMITS, metadataProblem, storedTextProblem } from '../vector-rules';

/**
 * Every SearchService limit, in one place: the gRPC layer, the vector stores and the ingest
 * CLI take theirs from here, and a unit test holds docs/limits.md's table to these values.
 * What the stores themselves accept is the vector port's contract (domain/vector-rules.ts);
 * these limits repeat those values where a caller meets them. Lengths in bytes are UTF-8
 * bytes; lengths in characters are JavaScript string lengths.
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
  collectionNameMaxLength: VECTOR_LIMITS.collectionNameMaxLength,
  /** Filters one search may carry. */
  filtersPerSearch: 16,
  /** Values of one caller's IN / NOT_IN filter. */
  valuesPerFilter: 100,
  /** Values of one IN / NOT_IN filter a store accepts (recall's own callers send more). */
  storeValuesPerFilter: VECTOR_LIMITS.storeValuesPerFilter,
  /** A filter's field name, in characters. */
  filterFieldMaxLength: VECTOR_LIMITS.filterFieldMaxLength,
  /** Documents per UpsertDocuments, ids per DeleteDocuments. */
  documentsPerCall: 1000,
  /** A document id, in UTF-8 bytes: the Milvus schema's VARCHAR primary key holds no more. */
  documentIdMaxBytes: VECTOR_LIMITS.documentIdMaxBytes,
  /** A document's text, in UTF-8 bytes: the Milvus schema's VARCHAR text field. */
  documentTextMaxBytes: VECTOR_LIMITS.documentTextMaxBytes,
  /** A document's metadata, serialised as JSON, in UTF-8 bytes. */
  metadataMaxBytes: VECTOR_LIMITS.metadataMaxBytes,
  /** Nesting of a document's metadata: the object itself is level 1. */
  metadataMaxDepth: VECTOR_LIMITS.metadataMaxDepth,
  /** A collection's vector dimension (Milvus's own maximum). */
  dimensionMax: VECTOR_LIMITS.dimensionMax,
  /** Results one store search may return (Milvus's top-k maximum). */
  storeTopKMax: VECTOR_LIMITS.storeTopKMax,
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

const COLLECTION_NAME_RULE = `must be 1-${SEARCH_LIMITS.collectionNameMaxLength} letters, digits or underscores, starting with a letter`;

/** What a caller is told for a collection name starting with `_`. */
export const RESERVED_COLLECTION_NAME = `${COLLECTION_NAME_RULE} (names starting with "_" are reserved for internal collections)`;

/** Why a caller may not use `name` as a collection, or undefined when it may. */
export function collectionNameProblem(name: string): string | undefined {
  if (isInternalCollection(name)) return RESERVED_COLLECTION_NAME;
  return COLLECTION_NAME_PATTERN.test(name) ? undefined : COLLECTION_NAME_RULE;
}

/** Why `text` cannot be a caller's document text (blank, holding U+0000, too long), or undefined. */
export function documentTextProblem(text: string): string | undefined {
  if (text.trim().length === 0) return 'must not be blank';
  if (containsNul(text)) return NUL_PROBLEM;
  return storedTextProblem(text);
}

/** Why `metadata` cannot be a caller's document metadata (see metadataProblem; no U+0000 either), or undefined. */
export function documentMetadataProblem(metadata: unknown): string | undefined {
  return metadataProblem(metadata) ?? (containsNul(metadata) ? `${NUL_PROBLEM} in a key or string` : undefined);
}

export { documentIdProblem, vectorProblem } from '../vector-rules';
