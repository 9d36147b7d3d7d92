import type { CallContext } from '../../../src/domain/context';
import { FailedPreconditionError, NotFoundError } from '../../../src/domain/errors';
import type {
  CollectionStats,
  LexicalQuery,
  MetadataFilter,
  VectorHit,
  VectorQuery,
  VectorRecord,
  VectorStore,
} from '../../../src/domain/ports';

/** A call the fake received, for assertions. */
export interface VectorStoreCall {
  method:
    | 'ensureCollection'
    | 'dropCollection'
    | 'upsert'
    | 'delete'
    | 'deleteWhere'
    | 'scan'
    | 'search'
    | 'searchLexical'
    | 'listCollections';
  collection?: string;
  query?: VectorQuery;
  lexicalQuery?: LexicalQuery;
  filters?: MetadataFilter[];
}

/**
 * An in-memory VectorStore: cosine similarity, filters evaluated on top-level metadata, and
 * hooks for tests — scripted hits, failures, hanging calls, a gate that holds searches, and
 * a count of searches in flight. Lexical search: scripted hits, or over stored records the
 * number of query words a text contains; a collection with neither (scripted dense hits
 * only), or marked with `withoutLexical`, has no lexical side.
 */
export class FakeVectorStore implements VectorStore {
  readonly calls: VectorStoreCall[] = [];
  /** Searches currently awaiting their answer, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** When set, searches ignore filters (a broken backend). */
  ignoreFilters = false;
  private readonly collections = new Map<string, { dimension: number; records: Map<string, VectorRecord> }>();
  private readonly scripted = new Map<string, VectorHit[]>();
  private readonly scriptedLexical = new Map<string, VectorHit[]>();
  private readonly noLexical = new Set<string>();
  private readonly failures = new Map<string, Error>();
  private readonly lexicalFailures = new Map<string, Error>();
  private readonly denseFailures = new Map<string, Error>();
  private readonly hanging = new Set<string>();
  private gate: { size: number; open: Promise<void>; release: () => void } | undefined;

  /** Searches of `collection` answer exactly these hits (the collection need not exist). */
  scriptHits(collection: string, hits: Array<Partial<VectorHit> & { id: string; score: number }>): this {
    this.scripted.set(
      collection,
      hits.map((h) => ({ text: `text of ${h.id}`, metadata: {}, ...h })),
    );
    return this;
  }

  /** Lexical searches of `collection` answer exactly these hits (BM25-like scores, any scale). */
  scriptLexicalHits(collection: string, hits: Array<Partial<VectorHit> & { id: string; score: number }>): this {
    this.scriptedLexical.set(
      collection,
      hits.map((h) => ({ text: `text of ${h.id}`, metadata: {}, ...h })),
    );
    return this;
  }

  /** `collection` has no lexical side: lexical searches resolve to undefined. */
  withoutLexical(collection: string): this {
    this.noLexical.add(collection);
    return this;
  }

  /** Lexical searches of `collection` reject with `error` (undefined: stop failing); dense ones still answer. */
  failLexicalOn(collection: string, error: Error | undefined): this {
    if (error) this.lexicalFailures.set(collection, error);
    else this.lexicalFailures.delete(collection);
    return this;
  }

  /** Dense searches of `collection` reject with `error` (undefined: stop failing); lexical ones still answer. */
  failDenseOn(collection: string, error: Error | undefined): this {
    if (error) this.denseFailures.set(collection, error);
    else this.denseFailures.delete(collection);
    return this;
  }

  /** Every call on `collection` rejects with `error` (undefined: stop failing). */
  failOn(collection: string, error: Error | undefined): this {
    if (error) this.failures.set(collection, error);
    else this.failures.delete(collection);
    return this;
  }

  /** Searches of `collection` never answer and ignore their signal. */
  hangOn(collection: string): this {
    this.hanging.add(collection);
    return this;
  }

  /** Holds every search until `size` of them are in flight at once, then releases them all. */
  holdSearchesUntil(size: number): void {
    let release: () => void = () => undefined;
    const open = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = { size, open, release };
  }

  searchesOf(collection: string): number {
    return this.calls.filter((c) => c.method === 'search' && c.collection === collection).length;
  }

  records(collection: string): VectorRecord[] {
    return [...(this.collections.get(collection)?.records.values() ?? [])];
  }

  async ensureCollection(name: string, dimension: number, _ctx: CallContext): Promise<void> {
    this.record({ method: 'ensureCollection', collection: name });
    const existing = this.collections.get(name);
    if (!existing) this.collections.set(name, { dimension, records: new Map() });
    else if (existing.dimension !== dimension) throw new FailedPreconditionError(`dimension mismatch in ${name}`);
  }

  async upsert(collection: string, records: VectorRecord[], _ctx: CallContext): Promise<void> {
    this.record({ method: 'upsert', collection });
    const target = this.existing(collection);
    for (const r of records) {
      if (r.vector.length !== target.dimension)
        throw new FailedPreconditionError(`dimension mismatch in ${collection}`);
      target.records.set(r.id, structuredClone(r));
    }
  }

  async delete(collection: string, ids: string[], _ctx: CallContext): Promise<number> {
    this.record({ method: 'delete', collection });
    const target = this.existing(collection);
    return ids.filter((id) => target.records.delete(id)).length;
  }

  async deleteWhere(collection: string, filters: MetadataFilter[], _ctx: CallContext): Promise<number> {
    this.record({ method: 'deleteWhere', collection, filters });
    const target = this.existing(collection);
    const doomed = [...target.records.values()].filter((r) => matchesAll(r.metadata, filters));
    for (const r of doomed) target.records.delete(r.id);
    return doomed.length;
  }

  async scan(collection: string, limit: number, _ctx: CallContext): Promise<VectorRecord[]> {
    this.record({ method: 'scan', collection });
    await new Promise((resolve) => setImmediate(resolve));
    return [...this.existing(collection).records.values()]
      .slice(0, limit)
      .map((r) => ({ ...r, vector: [...r.vector] }));
  }

  async search(collection: string, query: VectorQuery, _ctx: CallContext): Promise<VectorHit[]> {
    this.record({ method: 'search', collection, query });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) {
        if (this.inFlight >= this.gate.size) this.gate.release();
        await this.gate.open;
      } else {
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (this.hanging.has(collection)) await new Promise(() => undefined);
      const failure = this.denseFailures.get(collection);
      if (failure) throw failure;
      return this.answer(collection, query);
    } finally {
      this.inFlight--;
    }
  }

  async searchLexical(collection: string, query: LexicalQuery, _ctx: CallContext): Promise<VectorHit[] | undefined> {
    this.record({ method: 'searchLexical', collection, lexicalQuery: query });
    await new Promise((resolve) => setImmediate(resolve));
    const failure = this.lexicalFailures.get(collection);
    if (failure) throw failure;
    if (this.hanging.has(collection)) await new Promise(() => undefined);
    const scripted = this.scriptedLexical.get(collection);
    if (scripted) return scripted.slice(0, query.limit);
    if (this.noLexical.has(collection) || (this.scripted.has(collection) && !this.collections.has(collection))) {
      return undefined;
    }
    const words = new Set(query.text.toLowerCase().match(/\w+/g) ?? []);
    return [...this.existing(collection).records.values()]
      .filter((r) => this.ignoreFilters || matchesAll(r.metadata, query.filters))
      .map((r) => ({
        id: r.id,
        text: r.text,
        metadata: r.metadata,
        score: (r.text.toLowerCase().match(/\w+/g) ?? []).filter((w) => words.has(w)).length,
      }))
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, query.limit);
  }

  async listCollections(_ctx: CallContext): Promise<CollectionStats[]> {
    this.record({ method: 'listCollections' });
    return [...this.collections.entries()]
      .map(([name, c]) => ({ name, count: c.records.size, dimension: c.dimension, lexical: !this.noLexical.has(name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async dropCollection(name: string, _ctx: CallContext): Promise<void> {
    this.record({ method: 'dropCollection', collection: name });
    this.collections.delete(name);
  }

  async ping(_ctx: CallContext): Promise<void> {}
  async close(): Promise<void> {}

  private answer(collection: string, query: VectorQuery): VectorHit[] {
    const scripted = this.scripted.get(collection);
    if (scripted) return scripted.slice(0, query.limit);
    const target = this.existing(collection);
    if (query.vector.length !== target.dimension)
      throw new FailedPreconditionError(`dimension mismatch in ${collection}`);
    return [...target.records.values()]
      .filter((r) => this.ignoreFilters || matchesAll(r.metadata, query.filters))
      .map((r) => ({ id: r.id, text: r.text, metadata: r.metadata, score: cosine(query.vector, r.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, query.limit);
  }

  private existing(collection: string) {
    const target = this.collections.get(collection);
    if (!target) throw new NotFoundError(`collection ${collection} not found`);
    return target;
  }

  private record(call: VectorStoreCall): void {
    this.calls.push(call);
    const failure = call.collection === undefined ? undefined : this.failures.get(call.collection);
    if (failure) throw failure;
  }
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

function matchesAll(metadata: Record<string, unknown>, filters: MetadataFilter[]): boolean {
  return filters.every((f) => matches(metadata[f.field], f));
}

function matches(value: unknown, filter: MetadataFilter): boolean {
  const [first] = filter.values;
  switch (filter.operator) {
    case 'eq':
      return value === first;
    case 'ne':
      return value !== first;
    case 'in':
      return filter.values.includes(value as never);
    case 'not_in':
      return !filter.values.includes(value as never);
    case 'lt':
      return typeof value === 'number' && value < Number(first);
    case 'lte':
      return typeof value === 'number' && value <= Number(first);
    case 'gt':
      return typeof value === 'number' && value > Number(first);
    case 'gte':
      return typeof value === 'number' && value >= Number(first);
  }
  return false;
}
