import { compileFilterPredicate } from '../../../src/adapters/filters';
import type { FilterValue, Metadata, MetadataFilter } from '../../../src/domain/ports';

const matches = (metadata: Metadata, operator: MetadataFilter['operator'], ...values: FilterValue[]) =>
  compileFilterPredicate([{ field: 'f', operator, values }])(metadata);

describe('compileFilterPredicate', () => {
  test('no filters match everything', () => {
    expect(compileFilterPredicate([])({})).toBe(true);
  });

  test('a missing or null field is "none of values": ne / not_in match it, no other operator does', () => {
    for (const metadata of [{}, { f: null }, { other: 'x' }]) {
      expect(matches(metadata, 'eq', 'x')).toBe(false);
      expect(matches(metadata, 'in', 'x', 1)).toBe(false);
      expect(matches(metadata, 'ne', 'x')).toBe(true);
      expect(matches(metadata, 'not_in', 'x', 1)).toBe(true);
      expect(matches(metadata, 'lt', 10)).toBe(false);
    }
  });

  test('strings equal strings only, exactly', () => {
    expect(matches({ f: 'x' }, 'eq', 'x')).toBe(true);
    expect(matches({ f: 'X' }, 'eq', 'x')).toBe(false);
    expect(matches({ f: '1' }, 'eq', 1)).toBe(false);
    expect(matches({ f: '1' }, 'ne', 1)).toBe(true);
    expect(matches({ f: 1 }, 'eq', '1')).toBe(false);
  });

  test('numbers compare by value; booleans count as 0 and 1', () => {
    expect(matches({ f: 2 }, 'eq', 2.0)).toBe(true);
    expect(matches({ f: true }, 'eq', 1)).toBe(true);
    expect(matches({ f: 0 }, 'eq', false)).toBe(true);
    expect(matches({ f: true }, 'ne', 1)).toBe(false);
    expect(matches({ f: false }, 'lt', 0.5)).toBe(true);
    expect(matches({ f: true }, 'gte', 1)).toBe(true);
  });

  test('ordering matches numbers (and booleans) only', () => {
    expect(matches({ f: 1.5 }, 'gt', 1)).toBe(true);
    expect(matches({ f: 1 }, 'gt', 1)).toBe(false);
    expect(matches({ f: 1 }, 'gte', 1)).toBe(true);
    expect(matches({ f: -3 }, 'lte', -3)).toBe(true);
    expect(matches({ f: '0' }, 'lt', 5)).toBe(false);
    expect(matches({ f: [1] }, 'lt', 5)).toBe(false);
    expect(matches({ f: { a: 1 } }, 'gt', -5)).toBe(false);
  });

  test('arrays and objects equal nothing and pass every ne', () => {
    expect(matches({ f: [1] }, 'eq', 1)).toBe(false);
    expect(matches({ f: [1] }, 'ne', 1)).toBe(true);
    expect(matches({ f: { a: 1 } }, 'not_in', 'a', 1)).toBe(true);
  });

  test('in / not_in are any-equal / present and none-equal', () => {
    expect(matches({ f: 'b' }, 'in', 'a', 'b')).toBe(true);
    expect(matches({ f: 1 }, 'in', 'a', true)).toBe(true);
    expect(matches({ f: 'c' }, 'in', 'a', 'b')).toBe(false);
    expect(matches({ f: 'c' }, 'not_in', 'a', 'b')).toBe(true);
    expect(matches({ f: 'a' }, 'not_in', 'a', 'b')).toBe(false);
  });

  test('only own keys count: constructor and __proto__ are not found on Object.prototype', () => {
    expect(compileFilterPredicate([{ field: 'constructor', operator: 'eq', values: ['x'] }])({})).toBe(false);
    expect(compileFilterPredicate([{ field: 'constructor', operator: 'ne', values: ['x'] }])({})).toBe(true);
    const parsed = JSON.parse('{"__proto__": "x"}') as Metadata;
    expect(compileFilterPredicate([{ field: '__proto__', operator: 'eq', values: ['x'] }])(parsed)).toBe(true);
    expect(compileFilterPredicate([{ field: '__proto__', operator: 'ne', values: ['x'] }])(parsed)).toBe(false);
  });

  test('several filters must all pass', () => {
    const predicate = compileFilterPredicate([
      { field: 'a', operator: 'eq', values: ['x'] },
      { field: 'b', operator: 'gt', values: [1] },
    ]);
    expect(predicate({ a: 'x', b: 2 })).toBe(true);
    expect(predicate({ a: 'x', b: 1 })).toBe(false);
    expect(predicate({ b: 2 })).toBe(false);
  });
});
