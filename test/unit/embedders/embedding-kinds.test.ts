import { createCachedEmbedder } from '../../../src/adapters/embedders/cached-embedder';
import { embedText } from '../../../src/adapters/embedders/local-embedder';
import { createPrefixedEmbedder } from '../../../src/adapters/embedders/prefixed-embedder';
import { openEmbedder } from '../../../src/composition/open-models';
import { loadConfig } from '../../../src/config';
import { createFactIndex } from '../../../src/domain/memory';
import { FakeEmbedder } from '../../support/fakes/fake-embedder';
import { FakeVectorStore } from '../../support/fakes/fake-vector-store';
import { buildSearch, ctx, searchRequest } from '../search/search-fixture';

const PREFIXES = { query: 'query: ', document: 'passage: ' };

describe('query and document embeddings (EMBEDDING_QUERY_PREFIX, EMBEDDING_DOCUMENT_PREFIX)', () => {
  it('sends each text with its kind’s prefix, a document when the caller does not say', async () => {
    const inner = new FakeEmbedder();
    const embedder = createPrefixedEmbedder(inner, PREFIXES);
    await embedder.embed(['solar panels'], ctx(), 'query');
    await embedder.embed(['Panels turn light into power.', 'Wind'], ctx(), 'document');
    await embedder.embed(['untyped'], ctx());
    expect(inner.calls).toEqual([
      ['query: solar panels'],
      ['passage: Panels turn light into power.', 'passage: Wind'],
      ['passage: untyped'],
    ]);
    expect(inner.kinds).toEqual(['query', 'document', 'document']);
    expect(createPrefixedEmbedder(inner, { query: '', document: '' })).toBe(inner);
  });

  it('caches a query and a document of the same text apart, and each repeat from the cache', async () => {
    const inner = new FakeEmbedder();
    const embedder = createCachedEmbedder(createPrefixedEmbedder(inner, { query: 'Find: ', document: '' }));
    const [asQuery] = await embedder.embed(['tides'], ctx(), 'query');
    const [asDocument] = await embedder.embed(['tides'], ctx(), 'document');
    expect(inner.calls).toEqual([['Find: tides'], ['tides']]);
    expect(asQuery).toEqual((await new FakeEmbedder().embed(['Find: tides'], ctx()))[0]);
    await embedder.embed(['tides'], ctx(), 'query');
    await embedder.embed(['tides'], ctx());
    expect(inner.calls).toHaveLength(2);
    expect((await embedder.embed(['tides'], ctx(), 'query'))[0]).toEqual(asQuery);
    expect((await embedder.embed(['tides'], ctx(), 'document'))[0]).toEqual(asDocument);
  });

  it('keeps the kind apart in the cache even without prefixes (for servers told the kind otherwise)', async () => {
    const inner = new FakeEmbedder();
    const embedder = createCachedEmbedder(inner);
    await embedder.embed(['tides'], ctx(), 'query');
    await embedder.embed(['tides'], ctx(), 'document');
    expect(inner.kinds).toEqual(['query', 'document']);
  });

  it('embeds a Search query as a query, documents as documents, a golden question as a query', async () => {
    const fixture = buildSearch();
    try {
      await fixture.service.upsertDocuments('docs', [{ id: 'a', text: 'alpha beta', metadata: {} }], ctx());
      await fixture.service.search(searchRequest({ query: 'alpha', skipGoldenAnswer: true }), ctx());
      await fixture.service.upsertGoldenAnswer({ question: 'What is alpha?', answer: 'A letter.', sources: [] }, ctx());
      const kindOf = (text: string) =>
        fixture.embedder.kinds[fixture.embedder.calls.findIndex((c) => c.includes(text))];
      expect(kindOf('alpha beta')).toBe('document');
      expect(kindOf('alpha')).toBe('query');
      expect(kindOf('What is alpha?')).toBe('query');
    } finally {
      fixture.service.close();
    }
  });

  it('embeds facts as documents and a RecallFacts query as a query', async () => {
    const embedder = new FakeEmbedder();
    const index = createFactIndex({ vectorStore: new FakeVectorStore(), embedder });
    const [vector] = await index.embed(['alice likes green tea'], ctx());
    await index.put('alice', [{ id: 'f1', content: 'alice likes green tea', vector: vector! }], ctx());
    await index.recall('alice', 'what does alice drink', 5, ctx());
    expect(embedder.calls).toEqual([['alice likes green tea'], ['what does alice drink']]);
    expect(embedder.kinds).toEqual(['document', 'query']);
  });

  it('reads the prefixes from the environment exactly as given, trailing space included', async () => {
    const config = loadConfig({ EMBEDDING_QUERY_PREFIX: 'query: ', EMBEDDING_DOCUMENT_PREFIX: 'passage: ' });
    expect(config.embedding.prefixes).toEqual(PREFIXES);
    expect(loadConfig({}).embedding.prefixes).toEqual({ query: '', document: '' });
    const { value: embedder, close } = openEmbedder(config);
    try {
      const [query] = await embedder.embed(['deep sea'], ctx(), 'query');
      const [document] = await embedder.embed(['deep sea'], ctx(), 'document');
      expect(query).toEqual(embedText('query: deep sea', config.embedding.dimension));
      expect(document).toEqual(embedText('passage: deep sea', config.embedding.dimension));
    } finally {
      close();
    }
  });
});
