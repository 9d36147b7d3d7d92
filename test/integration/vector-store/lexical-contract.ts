/**
 * The lexical (BM25) side of the VectorStore contract, registered by vectorStoreContract for
 * every store: a store that claims lexical collections must find documents by their words
 * the way BM25 does (rare words weigh more, plurals fold, filters apply, writes show); a
 * store without them must say so by resolving to undefined, never by failing.
 */

import { type CallContext, backgroundContext } from '../../../src/domain/context';
import { NotFoundError } from '../../../src/domain/errors';
import type { VectorHit, VectorRecord, VectorStore } from '../../../src/domain/ports';

const ctx = (): CallContext => backgroundContext();

/** What the lexical contract needs from the surrounding suite. */
export interface LexicalHarness {
  store(): VectorStore;
  /** Reopens the store (a new instance on the same backend) and returns it. */
  reopen(): Promise<VectorStore>;
  collectionName(label: string): string;
  dimension: number;
  vector(seed: number): number[];
  /** Whether collections this store creates have a lexical side. */
  lexical: boolean;
  /** Whether its analyzer folds plurals (Milvus Lite 3.2.2 accepts the stemmer filter but does not apply it). */
  stems: boolean;
  /** Whether it finds CJK words inside sentences and emoji (Milvus Lite's `\w+` tokenizer does neither). */
  segmentsCjk: boolean;
}

const TEXTS: Record<string, string> = {
  invoice: 'Unpaid invoices are sent to the accounting department every month',
  refund: 'A refund is paid back to the card within ten days',
  shipping: 'Shipping takes three days; express shipping takes one day',
  breaker: 'A circuit breaker stops calls to a failing service for a while',
  pasta: 'Boil the pasta in salted water and drain it',
};

export function lexicalStoreContract(h: LexicalHarness): void {
  async function collectionWith(label: string, texts: Record<string, string>, meta = (_id: string) => ({})) {
    const name = h.collectionName(label);
    const store = h.store();
    await store.ensureCollection(name, h.dimension, ctx());
    const records: VectorRecord[] = Object.entries(texts).map(([id, text], i) => ({
      id,
      text,
      metadata: meta(id),
      vector: h.vector(i + 1),
    }));
    await store.upsert(name, records, ctx());
    return name;
  }

  async function lexical(name: string, text: string, limit = 10, filters = []): Promise<VectorHit[] | undefined> {
    return h.store().searchLexical?.(name, { text, limit, filters }, ctx());
  }

  if (!h.lexical) {
    test('lexical search reports a collection without a lexical side as such, never failing', async () => {
      const name = await collectionWith('nolex', TEXTS);
      await expect(lexical(name, 'invoice')).resolves.toBeUndefined();
      const listed = (await h.store().listCollections(ctx())).find((c) => c.name === name);
      expect(listed?.lexical ?? false).toBe(false);
    });
    return;
  }

  test('finds documents by their words, best first, with positive scores', async () => {
    const name = await collectionWith('words', TEXTS);
    const hits = (await lexical(name, 'invoice accounting'))!;
    expect(hits[0]).toMatchObject({ id: 'invoice', text: TEXTS.invoice, metadata: {} });
    expect(hits.map((x) => x.id)).not.toContain('pasta');
    for (const hit of hits) expect(hit.score).toBeGreaterThan(0);
    expect((await lexical(name, 'circuit breaker'))!.map((x) => x.id)).toEqual(['breaker']);
    expect((await h.store().listCollections(ctx())).find((c) => c.name === name)?.lexical).toBe(true);
  });

  if (h.stems) {
    test('folds plurals: "breakers" finds "breaker", "invoice" finds "invoices"', async () => {
      const name = await collectionWith('stems', TEXTS);
      expect((await lexical(name, 'breakers'))!.map((x) => x.id)).toEqual(['breaker']);
      expect((await lexical(name, 'invoice'))!.map((x) => x.id)).toEqual(['invoice']);
    });
  }

  test('drops English stop words: a query of them alone finds nothing, and they never decide a ranking', async () => {
    const name = await collectionWith('stop', TEXTS);
    expect(await lexical(name, 'the to and it')).toEqual([]);
    expect((await lexical(name, 'what is the refund'))!.map((x) => x.id)).toEqual(['refund']);
  });

  test('finds "café" typed in NFD from NFC and the other way round, returning the text as written', async () => {
    const nfc = 'café'.normalize('NFC');
    const nfd = 'café'.normalize('NFD');
    expect(nfc).not.toEqual(nfd);
    const texts = { composed: `Le ${nfc} du coin`, decomposed: `Un ${nfd} noir`, other: 'Un thé vert' };
    const name = await collectionWith('nfc', texts);
    for (const query of [nfc, nfd, nfd.toUpperCase()]) {
      const hits = (await lexical(name, query))!;
      expect([query, hits.map((x) => x.id).sort()]).toEqual([query, ['composed', 'decomposed']]);
      // A store may keep the text NFC (Milvus analyses the stored field): the same characters to a reader.
      for (const hit of hits)
        expect(hit.text.normalize('NFC')).toBe(texts[hit.id as keyof typeof texts].normalize('NFC'));
    }
  });

  if (h.segmentsCjk) {
    test('finds CJK words inside sentences (character bigrams) and emoji', async () => {
      const name = await collectionWith('cjk', {
        zh: '我喜欢机器学习和自然语言处理',
        ja: '東京タワーに行きました',
        ko: '한국어 문장입니다',
        emoji: 'flash sale 🔥 today only',
        en: 'machine learning and language processing',
      });
      const top = async (query: string) => (await lexical(name, query))!.map((x) => x.id);
      expect(await top('机器学习')).toEqual(['zh']);
      expect(await top('タワー')).toEqual(['ja']);
      expect(await top('문장')).toEqual(['ko']);
      expect(await top('🔥')).toEqual(['emoji']);
    });
  }

  test('scores like BM25: a rare word outweighs a common one, a short text a long one', async () => {
    const name = await collectionWith('bm25', {
      common1: 'apple banana',
      common2: 'apple cherry',
      common3: 'apple grape',
      rare: 'kiwi melon',
      short: 'zebra',
      long: 'zebra lion tiger bear wolf fox deer moose elk otter',
    });
    const rareFirst = (await lexical(name, 'apple kiwi'))!;
    expect(rareFirst[0]!.id).toBe('rare');
    expect(rareFirst.map((x) => x.id).sort()).toEqual(['common1', 'common2', 'common3', 'rare']);
    expect((await lexical(name, 'zebra'))!.map((x) => x.id)).toEqual(['short', 'long']);
  });

  test('applies filters and the limit', async () => {
    const name = await collectionWith(
      'lexfilter',
      { a: 'red apple', b: 'green apple', c: 'apple pie', d: 'apple juice' },
      (id) => ({ group: id === 'a' || id === 'b' ? 'fruit' : 'food' }),
    );
    const fruit = (await h.store().searchLexical!(
      name,
      { text: 'apple', limit: 10, filters: [{ field: 'group', operator: 'eq', values: ['fruit'] }] },
      ctx(),
    ))!;
    expect(fruit.map((x) => x.id).sort()).toEqual(['a', 'b']);
    expect(await lexical(name, 'apple', 3)).toHaveLength(3);
  });

  test('follows replacements and deletes, and survives a reopen', async () => {
    const name = await collectionWith('lexwrite', TEXTS);
    await h
      .store()
      .upsert(name, [{ id: 'pasta', text: 'Pasta refund policy', metadata: {}, vector: h.vector(99) }], ctx());
    await h.store().delete(name, ['refund'], ctx());
    expect((await lexical(name, 'refund'))!.map((x) => x.id)).toEqual(['pasta']);
    expect(await lexical(name, 'boil salted water')).toEqual([]);
    await h.reopen();
    expect((await lexical(name, 'refund'))!.map((x) => x.id)).toEqual(['pasta']);
  });

  test('an unknown collection is not found', async () => {
    await expect(lexical(h.collectionName('nolexcoll'), 'apple')).rejects.toBeInstanceOf(NotFoundError);
  });
}
