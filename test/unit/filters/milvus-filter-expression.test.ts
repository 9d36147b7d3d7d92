import { compileMilvusFilter, milvusLiteral } from '../../../src/adapters/filters';
import { InvalidArgumentError } from '../../../src/domain/errors';
import type { MetadataFilter } from '../../../src/domain/ports';

const eq = (value: string | number | boolean, field = 'f'): MetadataFilter => ({
  field,
  operator: 'eq',
  values: [value],
});

describe('compileMilvusFilter', () => {
  test('no filters compile to an empty expression', () => {
    expect(compileMilvusFilter([])).toBe('');
  });

  test('every operator, clauses parenthesised and joined with and', () => {
    const filters: MetadataFilter[] = [
      { field: 'a', operator: 'eq', values: ['x'] },
      { field: 'b', operator: 'ne', values: [2] },
      { field: 'c', operator: 'in', values: ['x', 1, true] },
      { field: 'd', operator: 'not_in', values: ['y', false] },
      { field: 'e', operator: 'lt', values: [1.5] },
      { field: 'f', operator: 'lte', values: [-2] },
      { field: 'g', operator: 'gt', values: [0] },
      { field: 'h', operator: 'gte', values: [1e21] },
    ];
    const clauses = [
      '((metadata["a"] == "x"))',
      '((not (exists metadata["b"])) or ((exists metadata["b"]) and (metadata["b"] != 2)))',
      '((metadata["c"] == "x") or (metadata["c"] == 1) or (metadata["c"] == true))',
      '((not (exists metadata["d"])) or ((exists metadata["d"]) and (metadata["d"] != "y") and (metadata["d"] != false) and (metadata["d"] != 0)))',
      '((metadata["e"] < 1.5) or (metadata["e"] == false) or (metadata["e"] == true))',
      '((metadata["f"] <= -2))',
      '((metadata["g"] > 0) or (metadata["g"] == true))',
      '((metadata["h"] >= 1e+21))',
    ];
    expect(compileMilvusFilter(filters)).toBe(clauses.join(' and '));
  });

  test('NE / NOT_IN match a record without the field; booleans and 0 / 1 are compared both ways', () => {
    expect(compileMilvusFilter([{ field: 'k', operator: 'ne', values: [true] }])).toBe(
      '((not (exists metadata["k"])) or ((exists metadata["k"]) and (metadata["k"] != true) and (metadata["k"] != 1)))',
    );
    expect(compileMilvusFilter([eq(0)])).toBe('((metadata["f"] == 0) or (metadata["f"] == false))');
  });

  test('the JSON field name can be changed', () => {
    expect(compileMilvusFilter([eq('x')], 'meta')).toBe('((meta["f"] == "x"))');
  });

  test.each([
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['a\\', '"a\\\\"'],
    ['" or 1==1 or "', '"\\" or 1==1 or \\""'],
    ['\\" or 1==1 or \\"', '"\\\\\\" or 1==1 or \\\\\\""'],
    ['line\nbreak\r\ttab', '"line\\nbreak\\r\\ttab"'],
    ["it's", '"it\'s"'],
    ['é ✓ 😀', '"é ✓ 😀"'],
    ['nul\u0000', '"nul\u0000"'],
  ])('string %j is one literal: %s', (value, literal) => {
    expect(milvusLiteral(value)).toBe(literal);
  });

  test('a quoted literal always ends where it started: no payload closes it early', () => {
    for (const payload of ['"', '\\"', '\\\\"', '"]) or (1==1', 'x\\', '\\\\']) {
      const literal = milvusLiteral(payload);
      // Strip escape pairs; what is left between the outer quotes must hold no quote.
      expect(literal.slice(1, -1).replace(/\\./g, '')).not.toContain('"');
    }
  });

  test('numbers and booleans are plain literals; -0 is 0', () => {
    expect([1, -3, 1.5, -0, 5e-324, true, false].map(milvusLiteral)).toEqual([
      '1',
      '-3',
      '1.5',
      '0',
      '5e-324',
      'true',
      'false',
    ]);
  });

  test.each([['a"] or 1==1 or metadata["a'], ['1abc'], [''], ['a b'], ['a.b'], ['ä'], ['x'.repeat(65)]])(
    'field %j is refused, naming filters[i].field',
    (field) => {
      const attempt = () => compileMilvusFilter([eq('x'), { field, operator: 'eq', values: ['x'] }]);
      expect(attempt).toThrow(InvalidArgumentError);
      expect(attempt).toThrow('filters[1].field');
    },
  );

  test.each<[string, MetadataFilter, string]>([
    ['two values for eq', { field: 'f', operator: 'eq', values: [1, 2] }, 'filters[0].values'],
    ['no values for in', { field: 'f', operator: 'in', values: [] }, 'filters[0].values'],
    ['a string for lt', { field: 'f', operator: 'lt', values: ['1'] }, 'filters[0].values[0]'],
    ['a boolean for gte', { field: 'f', operator: 'gte', values: [true] }, 'filters[0].values[0]'],
    ['NaN', { field: 'f', operator: 'eq', values: [Number.NaN] }, 'filters[0].values[0]'],
    ['Infinity', { field: 'f', operator: 'gt', values: [Number.POSITIVE_INFINITY] }, 'filters[0].values[0]'],
    ['a lone surrogate', { field: 'f', operator: 'eq', values: ['\uD800'] }, 'filters[0].values[0]'],
    ['an unknown operator', { field: 'f', operator: 'like' as 'eq', values: ['x'] }, 'filters[0].operator'],
    ['an object value', { field: 'f', operator: 'eq', values: [{} as string] }, 'filters[0].values[0]'],
  ])('%s is refused', (_label, filter, field) => {
    expect(() => compileMilvusFilter([filter])).toThrow(field);
  });
});
