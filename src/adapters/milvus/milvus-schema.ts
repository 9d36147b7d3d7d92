import type { FieldType, FunctionObject, RowData } from '@zilliz/milvus2-sdk-node';
import type { VectorRecord } from '../../domain/ports';
import { VECTOR_LIMITS } from '../../domain/vector-rules';
import { ENGLISH_STOP_WORDS } from '../rerankers/lexical-tokens';

/** Field names of a recall collection. */
export const FIELDS = {
  id: 'id',
  vector: 'vector',
  text: 'text',
  metadata: 'metadata',
  sparse: 'text_sparse',
} as const;

/** The BM25 function filling `text_sparse` from `text` in lexical collections. */
export const BM25_FUNCTION = 'text_bm25';

/**
 * How the server analyses `text` for BM25: the standard tokenizer, lowercase, the embedded
 * store's English stop words, listed (Lite takes the `_english_` shorthand as a literal word),
 * and the English (Snowball) stemmer. Spelled out rather than the built-in `english` analyzer
 * because Milvus Lite 3.2.2 knows only the `standard` and `jieba` tokenizers by name; it
 * lowercases and applies the stop list, and silently skips the stemmer. A changed analyzer
 * applies only to collections created after the change (docs/lexical-analysis.md).
 */
const ENGLISH_ANALYZER = {
  tokenizer: 'standard',
  // Stop words before stemming, as Lucene's EnglishAnalyzer does: "does" would stem to "doe".
  filter: [
    'lowercase',
    { type: 'stop', stop_words: [...ENGLISH_STOP_WORDS] },
    { type: 'stemmer', language: 'english' },
  ],
};

/**
 * Text as Milvus stores and analyses it: NFC, so that canonically equivalent spellings ("é" as
 * one code point or as "e" + a combining accent) are one word to the server's analyzer, which
 * reads the stored field itself. NFC changes no character a reader sees.
 */
export function nfc(text: string): string {
  return text.normalize('NFC');
}

/** The row Milvus stores for a record: its four fields only, the text NFC (see nfc). */
export function milvusRow({ id, vector, text, metadata }: VectorRecord): RowData {
  return { [FIELDS.id]: id, [FIELDS.vector]: vector, [FIELDS.text]: nfc(text), [FIELDS.metadata]: metadata };
}

/** Index types recall can create; all use the COSINE metric. */
export type MilvusIndexType = 'HNSW' | 'AUTOINDEX' | 'FLAT';

/**
 * The explicit schema of a recall collection holding vectors of `dimension`; a `lexical` one
 * also analyses its text and has the sparse BM25 field the server fills (see bm25Function).
 */
export function collectionFields(dimension: number, lexical: boolean): FieldType[] {
  const text: FieldType = { name: FIELDS.text, data_type: 'VarChar', max_length: VECTOR_LIMITS.documentTextMaxBytes };
  if (!lexical) return [...baseFields(dimension), text, { name: FIELDS.metadata, data_type: 'JSON' }];
  return [
    ...baseFields(dimension),
    { ...text, enable_analyzer: true, analyzer_params: ENGLISH_ANALYZER },
    { name: FIELDS.metadata, data_type: 'JSON' },
    { name: FIELDS.sparse, data_type: 'SparseFloatVector' },
  ];
}

function baseFields(dimension: number): FieldType[] {
  return [
    {
      name: FIELDS.id,
      data_type: 'VarChar',
      is_primary_key: true,
      autoID: false,
      max_length: VECTOR_LIMITS.documentIdMaxBytes,
    },
    { name: FIELDS.vector, data_type: 'FloatVector', dim: dimension },
  ];
}

/** The server-side BM25 function of a lexical collection: `text` in, `text_sparse` out. */
export function bm25Function(): FunctionObject {
  return {
    name: BM25_FUNCTION,
    type: 'BM25',
    input_field_names: [FIELDS.text],
    output_field_names: [FIELDS.sparse],
    params: {},
  };
}

/** The BM25 index of a lexical collection's sparse field. */
export function sparseIndex() {
  return {
    field_name: FIELDS.sparse,
    index_name: FIELDS.sparse,
    index_type: 'SPARSE_INVERTED_INDEX',
    metric_type: 'BM25',
    params: {},
  };
}

/**
 * Whether a server of this version (GetVersion's string) has the BM25 function: Milvus 2.5
 * and later, and Milvus Lite 3 (`milvus_lite-3.2.2`); a 2.4 or older server does not.
 */
export function serverHasBm25(version: string): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!match) return true;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 2 || (major === 2 && minor >= 5);
}

/**
 * Whether the server is Milvus Lite (GetVersion's string is `milvus_lite-3.2.2` there): a
 * single Python process that searches rows it has not flushed without any index.
 */
export function isMilvusLite(version: string): boolean {
  return /^milvus[_-]lite\b/i.test(version.trim());
}

/** Whether a described collection has its lexical side: the sparse field filled by the BM25 function. */
export function describedLexical(schema: unknown): boolean {
  const { fields = [], functions = [] } = (schema ?? {}) as {
    fields?: DescribedField[];
    functions?: { type?: string | number; output_field_names?: string[] }[];
  };
  return (
    fields.some((f) => f.name === FIELDS.sparse) &&
    functions.some((f) => (f.type === 'BM25' || f.type === 1) && f.output_field_names?.includes(FIELDS.sparse))
  );
}

/** The vector index of a new collection. */
export function vectorIndex(indexType: MilvusIndexType) {
  const params = indexType === 'HNSW' ? { M: 16, efConstruction: 200 } : {};
  return { field_name: FIELDS.vector, index_name: FIELDS.vector, index_type: indexType, metric_type: 'COSINE', params };
}

/** Search-time parameters: HNSW needs ef ≥ limit. */
export function searchParams(indexType: MilvusIndexType, limit: number): Record<string, number> {
  return indexType === 'HNSW' ? { ef: Math.max(64, limit) } : {};
}

interface DescribedField {
  name?: string;
  data_type?: string | number;
  dim?: string | number;
  type_params?: { key: string; value: string }[];
}

/**
 * The vector dimension of a described collection, or a reason why it is not a recall
 * collection (a field missing or of the wrong type).
 */
export function describedDimension(schema: unknown): number | string {
  const fields = (schema as { fields?: DescribedField[] } | null | undefined)?.fields ?? [];
  const byName = new Map(fields.map((f) => [f.name, f]));
  // Described types come as names; the numbers are the proto enum values, should a server send those.
  const expected: [string, string, number][] = [
    [FIELDS.id, 'VarChar', 21],
    [FIELDS.vector, 'FloatVector', 101],
    [FIELDS.text, 'VarChar', 21],
    [FIELDS.metadata, 'JSON', 23],
  ];
  for (const [name, type, code] of expected) {
    const field = byName.get(name);
    if (!field) return `it has no field "${name}"`;
    if (field.data_type !== type && field.data_type !== code) return `its field "${name}" is not ${type}`;
  }
  const vector = byName.get(FIELDS.vector);
  if (!vector) return `it has no field "${FIELDS.vector}"`;
  const dim = Number(vector.dim ?? vector.type_params?.find((p) => p.key === 'dim')?.value);
  return Number.isInteger(dim) && dim > 0 ? dim : 'its vector field has no dimension';
}
