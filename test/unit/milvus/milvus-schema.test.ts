import {
  bm25Function,
  collectionFields,
  describedDimension,
  describedLexical,
  isMilvusLite,
  serverHasBm25,
} from '../../../src/adapters/milvus/milvus-schema';

describe('Milvus schema and BM25 support', () => {
  it('knows which servers have the BM25 function: Milvus 2.5 and later, Milvus Lite 3', () => {
    expect(serverHasBm25('v2.3.21')).toBe(false);
    expect(serverHasBm25('v2.4.15')).toBe(false);
    expect(serverHasBm25('v2.5.4')).toBe(true);
    expect(serverHasBm25('2.6.0')).toBe(true);
    expect(serverHasBm25('milvus_lite-3.2.2')).toBe(true);
  });

  it('tells Milvus Lite from a Milvus server by its version string', () => {
    expect(isMilvusLite('milvus_lite-3.2.2')).toBe(true);
    expect(isMilvusLite('v2.5.4')).toBe(false);
    expect(isMilvusLite('2.6.0')).toBe(false);
  });

  it('gives lexical collections analysed text and a sparse field, dense-only ones neither', () => {
    const lexical = collectionFields(8, true);
    expect(lexical.find((f) => f.name === 'text')).toMatchObject({ enable_analyzer: true });
    expect(lexical.find((f) => f.name === 'text_sparse')).toMatchObject({ data_type: 'SparseFloatVector' });
    const dense = collectionFields(8, false);
    expect(dense.map((f) => f.name)).toEqual(['id', 'vector', 'text', 'metadata']);
    expect(dense.find((f) => f.name === 'text')).not.toHaveProperty('enable_analyzer');
  });

  it('tells a lexical collection from a dense-only one as Milvus describes them', () => {
    const fields = (lexical: boolean) =>
      collectionFields(8, lexical).map((f) => ({ name: f.name, data_type: f.data_type, dim: f.dim }));
    const described = { fields: fields(true), functions: [{ ...bm25Function(), type: 'BM25' }] };
    expect(describedLexical(described)).toBe(true);
    expect(describedDimension(described)).toBe(8);
    expect(describedLexical({ fields: fields(false), functions: [] })).toBe(false);
    // A sparse field nobody fills is no lexical side.
    expect(describedLexical({ fields: fields(true), functions: [] })).toBe(false);
    expect(describedLexical(undefined)).toBe(false);
  });
});
