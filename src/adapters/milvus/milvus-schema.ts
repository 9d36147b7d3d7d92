import type { FieldType } from '@zilliz/milvus2-sdk-node';
import { SEARCH_LIMITS } from '../../domain/search/search-rules';

/** Field names of a recall collection. */
export const FIELDS = { id: 'id', vector: 'vector', text: 'text', metadata: 'metadata' } as const;

/** Index types recall can create; all use the COSINE metric. */
export type MilvusIndexType = 'HNSW' | 'AUTOINDEX' | 'FLAT';

/** The explicit schema of a recall collection holding vectors of `dimension`. */
export function collectionFields(dimension: number): FieldType[] {
  return [
    {
      name: FIELDS.id,
      data_type: 'VarChar',
      is_primary_key: true,
      autoID: false,
      max_length: SEARCH_LIMITS.documentIdMaxBytes,
    },
    { name: FIELDS.vector, data_type: 'FloatVector', dim: dimension },
    { name: FIELDS.text, data_type: 'VarChar', max_length: SEARCH_LIMITS.documentTextMaxBytes },
    { name: FIELDS.metadata, data_type: 'JSON' },
  ];
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
  const vector = byName.get(FIELDS.vector)!;
  const dim = Number(vector.dim ?? vector.type_params?.find((p) => p.key === 'dim')?.value);
  return Number.isInteger(dim) && dim > 0 ? dim : 'its vector field has no dimension';
}
