import { validateStoreFilters } from '../../../src/adapters/filters';
import {
  validateStoreCollectionName,
  validateStoreIds,
  validateStoreQuery,
  validateStoreRecords,
} from '../../../src/adapters/filters/store-input';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { INTERNAL_COLLECTION_NAMES } from '../../../src/domain/internal-collections';
import { MEMORY_LIMITS } from '../../../src/domain/memory';
import { DEFAULT_SEARCH_OPTIONS } from '../../../src/domain/search';
import { SEARCH_LIMITS, collectionNameProblem, documentIdProblem } from '../../../src/domain/search/search-rules';
import { validateSearch } from '../../../src/domain/search/search-validation';

/**
 * The rules the domain and the stores apply beyond the gRPC layer, and the promise that ties
 * them together: whatever a caller may send, a store accepts.
 */

const L = SEARCH_LIMITS;

function fieldsThrownBy(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error.violations.map((v) => v.field);
    throw error;
  }
  return [];
}

describe('search limit', () => {
  const resolve = (limit: number) => () =>
    validateSearch(
      {
        query: 'q',
        collections: ['docs'],
        limit,
        filters: [],
        rerank: 'auto',
        skipGoldenAnswer: false,
        goldenAnswerOnly: false,
      },
      DEFAULT_SEARCH_OPTIONS,
      4,
    );

  test('0 means the default; the maximum passes; one past fails naming `limit`', () => {
    expect(resolve(0)()).toMatchObject({ limit: L.limitDefault });
    expect(resolve(L.limitMax)()).toMatchObject({ limit: L.limitMax });
    expect(fieldsThrownBy(resolve(L.limitMax + 1))).toEqual(['limit']);
  });
});

describe('what a caller may send, a store accepts', () => {
  const record = (id: string) => ({ id, text: 't', metadata: {}, vector: [1, 0] });

  test('an id of the maximum bytes, multi-byte characters included', () => {
    const ids = [
      'i'.repeat(L.documentIdMaxBytes),
      'é'.repeat(L.documentIdMaxBytes / 2),
      '😀'.repeat(L.documentIdMaxBytes / 4),
    ];
    for (const id of ids) expect(documentIdProblem(id)).toBeUndefined();
    expect(fieldsThrownBy(() => validateStoreRecords('docs', ids.map(record), 2))).toEqual([]);
    expect(fieldsThrownBy(() => validateStoreIds(ids))).toEqual([]);
    expect(fieldsThrownBy(() => validateStoreIds(['é'.repeat(L.documentIdMaxBytes / 2 + 1)]))).toEqual(['ids[0]']);
  });

  test('every caller collection name and every internal one', () => {
    const longest = `c${'x'.repeat(L.collectionNameMaxLength - 1)}`;
    expect(collectionNameProblem(longest)).toBeUndefined();
    for (const name of [longest, ...INTERNAL_COLLECTION_NAMES]) {
      expect(fieldsThrownBy(() => validateStoreCollectionName(name))).toEqual([]);
    }
    expect(fieldsThrownBy(() => validateStoreCollectionName(`${longest}x`))).toEqual(['collection']);
    expect(fieldsThrownBy(() => validateStoreCollectionName('../escape'))).toEqual(['collection']);
  });

  test('internal names are never a caller name', () => {
    for (const name of INTERNAL_COLLECTION_NAMES) expect(collectionNameProblem(name)).toMatch(/reserved/);
  });

  test("an IN filter with a whole DeleteFacts batch (the fact index's own delete)", () => {
    expect(L.storeValuesPerFilter).toBeGreaterThanOrEqual(MEMORY_LIMITS.idsPerCall);
    const values = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);
    const filter = (n: number) => [{ field: 'fact_id', operator: 'in' as const, values: values(n) }];
    expect(fieldsThrownBy(() => validateStoreFilters(filter(L.storeValuesPerFilter)))).toEqual([]);
    expect(fieldsThrownBy(() => validateStoreFilters(filter(L.storeValuesPerFilter + 1)))).toEqual([
      'filters[0].values',
    ]);
  });

  test('a store search returns at most the top-k maximum', () => {
    const query = (limit: number) => () => validateStoreQuery('docs', { vector: [1, 0], limit, filters: [] }, 2);
    expect(fieldsThrownBy(query(L.storeTopKMax))).toEqual([]);
    expect(fieldsThrownBy(query(L.storeTopKMax + 1))).toEqual(['limit']);
    // The pipeline asks each collection for the fusion depth, which covers the largest limit.
    expect(DEFAULT_SEARCH_OPTIONS.fusionDepth).toBeLessThanOrEqual(L.storeTopKMax);
    expect(DEFAULT_SEARCH_OPTIONS.fusionDepth).toBeGreaterThanOrEqual(L.limitMax);
  });

  test('metadata a caller may send; the store refuses deeper or bigger', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 1; i < L.metadataMaxDepth; i++) deep = { k: deep };
    expect(fieldsThrownBy(() => validateStoreRecords('docs', [{ ...record('a'), metadata: deep }], 2))).toEqual([]);
    expect(fieldsThrownBy(() => validateStoreRecords('docs', [{ ...record('a'), metadata: { k: deep } }], 2))).toEqual([
      'records[0].metadata',
    ]);
  });
});
