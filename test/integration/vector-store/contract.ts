/**
 * The behaviour every VectorStore must have, run against Milvus Lite and the embedded store.
 * Filter results are checked against the shared in-memory predicate, so the Milvus run
 * proves that the compiled expression and the predicate agree on a real Milvus.
 */

import { compileFilterPredicate } from '../../../src/adapters/filters';
import { type CallContext, backgroundContext } from '../../../src/domain/context';
import {
  CancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
} from '../../../src/domain/errors';
import type { FilterValue, Metadata, MetadataFilter, VectorRecord, VectorStore } from '../../../src/domain/ports';
import { lexicalStoreContract } from './lexical-contract';

/** How a suite gets a store of the kind under test. */
export interface StoreHarness {
  /** A new store instance on the shared backend or directory; `previous` is closed first. */
  open(previous?: VectorStore): Promise<VectorStore>;
  /** A collection name no other test (or test file) uses. */
  collectionName(label: string): string;
  /** Whether collections this store creates have a lexical (BM25) side; see lexical-contract.ts. */
  lexical?: boolean;
  /** Whether its lexical analyzer folds plurals; default true. */
  stems?: boolean;
  /** Whether it finds CJK words inside sentences and emoji; default true. */
  segmentsCjk?: boolean;
}

const DIM = 8;
const ctx = (): CallContext => backgroundContext();

/** Deterministic pseudo-random unit-ish vectors (mulberry32). */
export function vectors(count: number, seed: number, dimension = DIM): number[][] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  return Array.from({ length: count }, () => Array.from({ length: dimension }, next));
}

function records(count: number, seed: number, metadata: (i: number) => Metadata = () => ({})): VectorRecord[] {
  return vectors(count, seed).map((vector, i) => ({
    id: `doc-${i}`,
    text: `text ${i}`,
    metadata: metadata(i),
    vector,
  }));
}

/** Values a metadata field `f` takes in the filter matrix; `missing` has no `f` at all. */
const STORED: Record<string, unknown> = {
  s_x: 'x',
  s_1: '1',
  s_empty: '',
  s_quote: 'a"b',
  n_1: 1,
  n_0: 0,
  n_2: 2,
  n_15: 1.5,
  n_neg: -3,
  b_t: true,
  b_f: false,
  nul: null,
  arr: [1, 'x'],
  obj: { a: 1 },
  missing: undefined,
};
const VALUES: FilterValue[] = ['x', '1', '', 'a"b', 1, 0, 1.5, -3, true, false];
const NUMBERS: FilterValue[] = [1, 0, 1.5, -3, 2];

/** Payloads that must only ever be compared as data. */
export const INJECTIONS = [
  'a"b',
  'a\\b',
  'a\\',
  '\\',
  '"',
  "it's",
  'line\nbreak',
  'cr\rx',
  'tab\tx',
  'nul\u0000x',
  'é ✓ 日本 😀',
  'ls\u2028x',
  '" or 1==1 or "',
  '\\" or 1==1 or \\"',
  "' or 1==1 or '",
  'x") or (1==1',
  'x" || id != "',
];

/** Registers the contract tests for one store kind. */
export function vectorStoreContract(harness: StoreHarness): void {
  let store: VectorStore;
  beforeAll(async () => {
    store = await harness.open();
  });
  afterAll(async () => {
    await store?.close();
  });

  async function collectionWith(label: string, docs: VectorRecord[], dimension = DIM): Promise<string> {
    const name = harness.collectionName(label);
    await store.ensureCollection(name, dimension, ctx());
    if (docs.length > 0) await store.upsert(name, docs, ctx());
    return name;
  }

  async function ids(name: string, filters: MetadataFilter[], limit = 100): Promise<string[]> {
    const hits = await store.search(name, { vector: vectors(1, 999)[0]!, limit, filters }, ctx());
    return hits.map((h) => h.id).sort();
  }

  describe('lexical search', () => {
    lexicalStoreContract({
      store: () => store,
      reopen: async () => {
        store = await harness.open(store);
        return store;
      },
      collectionName: harness.collectionName,
      dimension: DIM,
      vector: (seed) => vectors(1, seed)[0]!,
      lexical: harness.lexical ?? false,
      stems: harness.stems ?? true,
      segmentsCjk: harness.segmentsCjk ?? true,
    });
  });

  describe('collections', () => {
    test('ensureCollection is idempotent, also when called concurrently', async () => {
      const name = harness.collectionName('ensure');
      await Promise.all([1, 2, 3].map(() => store.ensureCollection(name, DIM, ctx())));
      await store.ensureCollection(name, DIM, ctx());
      const listed = (await store.listCollections(ctx())).find((c) => c.name === name);
      expect(listed).toEqual({ name, count: 0, dimension: DIM, lexical: harness.lexical });
    });

    test('a different dimension is a failed precondition naming the collection and both dimensions', async () => {
      const name = await collectionWith('dim', []);
      const attempt = store.ensureCollection(name, DIM + 1, ctx());
      await expect(attempt).rejects.toBeInstanceOf(FailedPreconditionError);
      await expect(attempt).rejects.toThrow(new RegExp(`${name}.*${DIM}.*${DIM + 1}`));
      // A new instance has nothing cached: it must find the dimension on the backend.
      store = await harness.open(store);
      await expect(store.ensureCollection(name, DIM + 1, ctx())).rejects.toBeInstanceOf(FailedPreconditionError);
      await expect(store.ensureCollection(name, DIM, ctx())).resolves.toBeUndefined();
    });

    test('listCollections reports counts after upserts and deletes', async () => {
      const name = await collectionWith('list', records(5, 1));
      await store.delete(name, ['doc-0', 'doc-1'], ctx());
      const listed = (await store.listCollections(ctx())).find((c) => c.name === name);
      expect(listed).toEqual({ name, count: 3, dimension: DIM, lexical: harness.lexical });
    });

    test('an unknown collection is not found, for every operation', async () => {
      const name = harness.collectionName('unknown');
      const query = { vector: vectors(1, 1)[0]!, limit: 3, filters: [] };
      await expect(store.search(name, query, ctx())).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.upsert(name, records(1, 1), ctx())).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete(name, ['a'], ctx())).rejects.toBeInstanceOf(NotFoundError);
      const filters: MetadataFilter[] = [{ field: 'f', operator: 'eq', values: [1] }];
      await expect(store.deleteWhere(name, filters, ctx())).rejects.toBeInstanceOf(NotFoundError);
    });

    test('ping answers', async () => {
      await expect(store.ping(ctx())).resolves.toBeUndefined();
    });
  });

  describe('records', () => {
    test('an upserted vector is found first with a score of about 1', async () => {
      const docs = records(50, 2);
      const name = await collectionWith('exact', docs);
      for (const target of [docs[0]!, docs[17]!, docs[49]!]) {
        const hits = await store.search(name, { vector: target.vector, limit: 5, filters: [] }, ctx());
        expect(hits[0]).toMatchObject({ id: target.id, text: target.text, metadata: {} });
        expect(hits[0]!.score).toBeCloseTo(1, 4);
        expect(hits).toHaveLength(5);
        for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
      }
    });

    test('scores are cosine similarities: scaled and opposite vectors', async () => {
      const v = vectors(1, 3)[0]!;
      const name = await collectionWith('cosine', [
        { id: 'same', text: '', metadata: {}, vector: v.map((x) => x * 7) },
        { id: 'opposite', text: '', metadata: {}, vector: v.map((x) => -x) },
      ]);
      const hits = await store.search(name, { vector: v, limit: 2, filters: [] }, ctx());
      expect(hits.map((h) => h.id)).toEqual(['same', 'opposite']);
      expect(hits[0]!.score).toBeCloseTo(1, 4);
      expect(hits[1]!.score).toBeCloseTo(-1, 4);
    });

    test('upserting an existing id replaces text, metadata and vector', async () => {
      const docs = records(3, 4, () => ({ version: 1 }));
      const name = await collectionWith('replace', docs);
      const moved = vectors(1, 5)[0]!;
      await store.upsert(name, [{ id: 'doc-1', text: 'new text', metadata: { version: 2 }, vector: moved }], ctx());
      const hits = await store.search(name, { vector: moved, limit: 1, filters: [] }, ctx());
      expect(hits[0]).toMatchObject({ id: 'doc-1', text: 'new text', metadata: { version: 2 } });
      expect((await store.listCollections(ctx())).find((c) => c.name === name)?.count).toBe(3);
    });

    test('metadata round-trips: nested objects, lists, unicode', async () => {
      const metadata = { s: 'é ✓ 😀', n: 1.25, b: false, list: [1, 'two', null], nested: { deep: { x: [true] } } };
      const name = await collectionWith('roundtrip', [
        { id: 'ü-id', text: 'tëxt\n"q"', metadata, vector: [1, 2, 3, 4, 5, 6, 7, 8] },
      ]);
      const hits = await store.search(name, { vector: [1, 2, 3, 4, 5, 6, 7, 8], limit: 1, filters: [] }, ctx());
      expect(hits[0]).toMatchObject({ id: 'ü-id', text: 'tëxt\n"q"', metadata });
    });

    test('scan returns every record with its vector (up to the limit), after upserts and deletes', async () => {
      const docs = records(5, 9, (i) => ({ i }));
      const name = await collectionWith('scan', docs);
      await store.delete(name, ['doc-3'], ctx());
      const scanned = await store.scan(name, 100, ctx());
      expect(scanned.map((r) => r.id).sort()).toEqual(['doc-0', 'doc-1', 'doc-2', 'doc-4']);
      for (const r of scanned) {
        const original = docs.find((d) => d.id === r.id)!;
        expect(r).toMatchObject({ text: original.text, metadata: original.metadata });
        const dot = r.vector.reduce((sum, x, k) => sum + x * original.vector[k]!, 0);
        const norms = Math.hypot(...r.vector) * Math.hypot(...original.vector);
        expect(dot / norms).toBeCloseTo(1, 4);
      }
      expect(await store.scan(name, 2, ctx())).toHaveLength(2);
      await expect(store.scan(`${name}_missing`, 10, ctx())).rejects.toBeInstanceOf(NotFoundError);
    });

    test('delete counts only ids that existed, and they vanish', async () => {
      const docs = records(6, 6);
      const name = await collectionWith('delete', docs);
      expect(await store.delete(name, ['doc-0', 'doc-2', 'doc-2', 'nope'], ctx())).toBe(2);
      expect(await store.delete(name, ['doc-0'], ctx())).toBe(0);
      expect(await store.delete(name, [], ctx())).toBe(0);
      const hits = await store.search(name, { vector: docs[0]!.vector, limit: 10, filters: [] }, ctx());
      expect(hits.map((h) => h.id).sort()).toEqual(['doc-1', 'doc-3', 'doc-4', 'doc-5']);
    });

    test('deleteWhere deletes exactly the matching records and counts them', async () => {
      const name = await collectionWith(
        'deletewhere',
        records(10, 7, (i) => ({ tenant: i % 3 === 0 ? 'a' : 'b', i })),
      );
      const filters: MetadataFilter[] = [
        { field: 'tenant', operator: 'eq', values: ['a'] },
        { field: 'i', operator: 'gt', values: [0] },
      ];
      expect(await store.deleteWhere(name, filters, ctx())).toBe(3);
      expect(await store.deleteWhere(name, filters, ctx())).toBe(0);
      expect(await ids(name, [])).toEqual(['doc-0', 'doc-1', 'doc-2', 'doc-4', 'doc-5', 'doc-7', 'doc-8']);
      await expect(store.deleteWhere(name, [], ctx())).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    test('concurrent upserts to one collection all land', async () => {
      const name = await collectionWith('concurrent', []);
      const batches = Array.from({ length: 8 }, (_, b) =>
        vectors(25, 100 + b).map((vector, i) => ({ id: `b${b}-${i}`, text: '', metadata: { b }, vector })),
      );
      await Promise.all(batches.map((batch) => store.upsert(name, batch, ctx())));
      expect((await store.listCollections(ctx())).find((c) => c.name === name)?.count).toBe(200);
    });
  });

  describe('bad input', () => {
    let name: string;
    beforeAll(async () => {
      name = await collectionWith('input', records(2, 8));
    });

    test('a query vector of another dimension is a failed precondition', async () => {
      const query = { vector: [1, 2, 3], limit: 1, filters: [] };
      await expect(store.search(name, query, ctx())).rejects.toBeInstanceOf(FailedPreconditionError);
      const doc = { id: 'short', text: '', metadata: {}, vector: [1, 2] };
      await expect(store.upsert(name, [doc], ctx())).rejects.toBeInstanceOf(FailedPreconditionError);
    });

    test('zero vectors, bad limits, bad ids and bad names are invalid arguments', async () => {
      const zero = new Array(DIM).fill(0);
      await expect(store.search(name, { vector: zero, limit: 1, filters: [] }, ctx())).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      const one = vectors(1, 1)[0]!;
      await expect(store.search(name, { vector: one, limit: 0, filters: [] }, ctx())).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
      const bad = [{ id: '', text: '', metadata: {}, vector: one }];
      await expect(store.upsert(name, bad, ctx())).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.ensureCollection('../escape', DIM, ctx())).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(store.ensureCollection('ok_name', 0, ctx())).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    test('a field name that is not an identifier is refused, naming filters[i].field', async () => {
      const filters: MetadataFilter[] = [
        { field: 'ok', operator: 'eq', values: ['x'] },
        { field: 'a"] or 1==1 or metadata["a', operator: 'eq', values: ['x'] },
      ];
      const attempt = store.search(name, { vector: vectors(1, 1)[0]!, limit: 1, filters }, ctx());
      await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(attempt).rejects.toThrow('filters[1].field');
    });

    test('a call whose deadline has passed fails with DeadlineExceeded, a cancelled one with Cancelled', async () => {
      const late: CallContext = { deadline: Date.now() - 1, signal: new AbortController().signal };
      await expect(
        store.search(name, { vector: vectors(1, 1)[0]!, limit: 1, filters: [] }, late),
      ).rejects.toBeInstanceOf(DeadlineExceededError);
      const aborted = new AbortController();
      aborted.abort();
      const cancelled: CallContext = { deadline: Number.POSITIVE_INFINITY, signal: aborted.signal };
      await expect(store.upsert(name, records(1, 1), cancelled)).rejects.toBeInstanceOf(CancelledError);
    });
  });

  describe('filters', () => {
    let matrix: string;
    const storedIds = Object.keys(STORED).sort();
    beforeAll(async () => {
      const docs = Object.entries(STORED).map(([id, value], i) => ({
        id,
        text: id,
        metadata: value === undefined ? { other: 1 } : { f: value, g: i % 2 },
        vector: vectors(1, 200 + i)[0]!,
      }));
      matrix = await collectionWith('matrix', docs);
    });

    /** What the shared predicate says `filters` selects from STORED. */
    function expected(filters: MetadataFilter[]): string[] {
      const predicate = compileFilterPredicate(filters);
      return Object.entries(STORED)
        .filter(([, value], i) => predicate(value === undefined ? { other: 1 } : { f: value, g: i % 2 }))
        .map(([id]) => id)
        .sort();
    }

    test.each(['eq', 'ne'] as const)(
      '%s against strings, numbers and booleans agrees with the predicate',
      async (op) => {
        for (const value of VALUES) {
          const filters: MetadataFilter[] = [{ field: 'f', operator: op, values: [value] }];
          expect({ value, ids: await ids(matrix, filters) }).toEqual({ value, ids: expected(filters) });
        }
      },
    );

    test.each(['lt', 'lte', 'gt', 'gte'] as const)('%s against numbers agrees with the predicate', async (op) => {
      for (const value of NUMBERS) {
        const filters: MetadataFilter[] = [{ field: 'f', operator: op, values: [value] }];
        expect({ value, ids: await ids(matrix, filters) }).toEqual({ value, ids: expected(filters) });
      }
    });

    test.each(['in', 'not_in'] as const)('%s with mixed value lists agrees with the predicate', async (op) => {
      const lists: FilterValue[][] = [['x'], ['x', 1], ['1', 1.5, false], ['', 'a"b', -3, true], ['nothing']];
      for (const values of lists) {
        const filters: MetadataFilter[] = [{ field: 'f', operator: op, values }];
        expect({ values, ids: await ids(matrix, filters) }).toEqual({ values, ids: expected(filters) });
      }
    });

    test('documented semantics: missing, null, mixed types, booleans as 0/1', async () => {
      const f = (operator: MetadataFilter['operator'], ...values: FilterValue[]) =>
        ids(matrix, [{ field: 'f', operator, values }]);
      // "None of values" holds for a record without the field, or with null, as the proto says.
      expect(await f('ne', 'nothing')).toEqual(storedIds);
      expect(await f('not_in', 'nothing', 12)).toEqual(storedIds);
      expect(await f('ne', 'x')).toEqual(storedIds.filter((id) => id !== 's_x'));
      expect(await f('eq', 'x')).toEqual(['s_x']);
      expect(await f('in', 'x', 'nothing')).toEqual(['s_x']);
      expect(await f('eq', 1)).toEqual(['b_t', 'n_1']);
      expect(await f('eq', '1')).toEqual(['s_1']);
      expect(await f('eq', false)).toEqual(['b_f', 'n_0']);
      expect(await f('lt', 1)).toEqual(['b_f', 'n_0', 'n_neg']);
      expect(await f('gte', 1.5)).toEqual(['n_15', 'n_2']);
      expect(await f('ne', 1)).not.toContain('b_t');
      expect(await f('ne', 1)).toEqual(expect.arrayContaining(['s_1', 'arr', 'obj']));
      expect(await ids(matrix, [{ field: 'absent', operator: 'ne', values: ['x'] }])).toEqual(storedIds);
      expect(await ids(matrix, [{ field: 'absent', operator: 'eq', values: ['x'] }])).toEqual([]);
    });

    test('several filters combine with AND', async () => {
      const filters: MetadataFilter[] = [
        { field: 'f', operator: 'gte', values: [0] },
        { field: 'g', operator: 'eq', values: [1] },
      ];
      const got = await ids(matrix, filters);
      expect(got).toEqual(expected(filters));
      expect(got.length).toBeGreaterThan(0);
    });

    test('injection payloads are data: each matches only its own record', async () => {
      const docs = INJECTIONS.map((s, i) => ({
        id: `inj-${i}`,
        text: s,
        metadata: { f: s },
        vector: vectors(1, 300 + i)[0]!,
      }));
      const name = await collectionWith('injection', docs);
      for (const [i, payload] of INJECTIONS.entries()) {
        expect({ payload, ids: await ids(name, [{ field: 'f', operator: 'eq', values: [payload] }]) }).toEqual({
          payload,
          ids: [`inj-${i}`],
        });
        const others = await ids(name, [{ field: 'f', operator: 'ne', values: [payload] }]);
        expect(others).toHaveLength(INJECTIONS.length - 1);
      }
      const widened = await ids(name, [
        { field: 'f', operator: 'in', values: ['zz" or 1==1 or "', "zz' or 1==1 or '"] },
      ]);
      expect(widened).toEqual([]);
    });
  });
}
