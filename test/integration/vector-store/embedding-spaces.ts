/**
 * Vector spaces never mix, on a real store and a real database: what one model embedded is
 * refused to another (FAILED_PRECONDITION naming both spaces), for documents and facts, and
 * `reEmbedCollection` moves a collection to the new model.
 */
import { randomBytes } from 'node:crypto';
import { createLocalEmbedder } from '../../../src/adapters/embedders/local-embedder';
import { createLexicalReranker } from '../../../src/adapters/rerankers/lexical-reranker';
import { createSqlEmbeddingSpaceRepository } from '../../../src/adapters/sql/embedding-space-repository';
import { createSqlGoldenAnswerRepository } from '../../../src/adapters/sql/golden-answer-repository';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { backgroundContext } from '../../../src/domain/context';
import { createEmbeddingSpaceGuard } from '../../../src/domain/embedding-spaces';
import { FailedPreconditionError } from '../../../src/domain/errors';
import { createFactIndex, createMemoryService, createPageTokenCodec } from '../../../src/domain/memory';
import type { Embedder, VectorStore } from '../../../src/domain/ports';
import { reEmbedCollection } from '../../../src/domain/re-embed';
import { createSearchService } from '../../../src/domain/search';
import { createBreaker } from '../../../src/resilience/breaker';

const ctx = () => backgroundContext();
/** Two real embedders of different spaces: the built-in one at two dimensions. */
const modelA = createLocalEmbedder({ dimension: 32 });
const modelB = createLocalEmbedder({ dimension: 48 });
const TEXTS = Array.from({ length: 30 }, (_, i) => `report ${i} on wing flutter at speed ${i * 10}`);

/** Registers the tests; `vectors` and `sql` are opened by the caller's beforeAll. */
export function embeddingSpacesContract(backends: { sql: () => SqlClient; vectors: () => VectorStore }): void {
  const run = randomBytes(3).toString('hex');
  const collection = `spaces_${run}`;
  const factsCollection = `spaces_facts_${run}`;

  const serverWith = (embedder: Embedder) => {
    const spaces = createEmbeddingSpaceGuard({
      repository: createSqlEmbeddingSpaceRepository(backends.sql()),
      embedder,
      ttlMs: 0,
    });
    const search = createSearchService(
      {
        vectorStore: backends.vectors(),
        embedder,
        reranker: createLexicalReranker(),
        goldenAnswers: createSqlGoldenAnswerRepository(backends.sql()),
        createBreaker: (o) => createBreaker(o),
        spaces,
      },
      { defaultCollections: [collection] },
    );
    const memory = createMemoryService({
      repository: createSqlMemoryRepository(backends.sql()),
      pageTokens: createPageTokenCodec(),
      factIndex: createFactIndex({ vectorStore: backends.vectors(), embedder, collection: factsCollection, spaces }),
    });
    return { search, memory };
  };

  afterAll(async () => {
    for (const name of [collection, factsCollection]) {
      await backends
        .vectors()
        .dropCollection?.(name, ctx())
        .catch(() => undefined);
    }
  });

  test('a server with another model refuses a collection and facts, naming both spaces; re-embedding moves them', async () => {
    const a = serverWith(modelA);
    await a.search.upsertDocuments(
      collection,
      TEXTS.map((text, i) => ({ id: `r${i}`, text, metadata: { i } })),
      ctx(),
    );
    await a.memory.addFacts(
      { userId: 'pilot', facts: [{ content: 'flies gliders on weekends', source: '', confidence: 1, metadata: {} }] },
      ctx(),
    );
    expect((await a.search.listCollections(ctx())).find((c) => c.name === collection)).toMatchObject({
      embeddingSpace: 'hashing-ngram-v1@32',
      dimension: 32,
    });

    const b = serverWith(modelB);
    const refused = b.search.search(
      {
        query: 'wing flutter',
        collections: [],
        limit: 5,
        filters: [],
        rerank: 'never',
        skipGoldenAnswer: true,
        goldenAnswerOnly: false,
      },
      ctx(),
    );
    await expect(refused).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(refused).rejects.toThrow(/"hashing-ngram-v1@32".*"hashing-ngram-v1@48"/);
    await expect(
      b.search.upsertDocuments(collection, [{ id: 'new', text: 'a new report', metadata: {} }], ctx()),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(b.memory.recallFacts({ userId: 'pilot', query: 'gliders', limit: 5 }, ctx())).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );

    const spaces = createSqlEmbeddingSpaceRepository(backends.sql());
    const moved = await reEmbedCollection(
      { vectorStore: backends.vectors(), embedder: modelB, spaces, batchSize: 8 },
      collection,
      ctx(),
    );
    expect(moved).toEqual({ reEmbedded: 30, space: 'hashing-ngram-v1@48' });
    await reEmbedCollection({ vectorStore: backends.vectors(), embedder: modelB, spaces }, factsCollection, ctx());

    const listed = (await b.search.listCollections(ctx())).find((c) => c.name === collection);
    expect(listed).toMatchObject({ documentCount: 30, dimension: 48, embeddingSpace: 'hashing-ngram-v1@48' });
    const found = await b.search.search(
      {
        query: TEXTS[7]!,
        collections: [],
        limit: 1,
        filters: [],
        rerank: 'never',
        retrieval: 'dense',
        skipGoldenAnswer: true,
        goldenAnswerOnly: false,
      },
      ctx(),
    );
    expect(found.hits[0]).toMatchObject({ id: 'r7', metadata: { i: 7 } });
    const recalled = await b.memory.recallFacts({ userId: 'pilot', query: 'gliders on weekends', limit: 5 }, ctx());
    expect(recalled.facts.map((f) => f.content)).toEqual(['flies gliders on weekends']);
    // And now the old model is the one refused.
    await expect(
      a.search.upsertDocuments(collection, [{ id: 'old', text: 'x y', metadata: {} }], ctx()),
    ).rejects.toBeInstanceOf(FailedPreconditionError);
  });
}
