import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { connectClients, statusOf } from '../../harness/grpc-clients';
import { createTestDatabase } from '../../harness/postgres';
import { FusionMethod, RerankMode, RerankOutcome, RetrievalMode } from '../../src/gen/recall/v1/search';
import { bufCurl } from '../support/buf-curl';
import { requireService } from '../support/require-service';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const CORPUS: Record<string, string[]> = {
  billing: [
    'Invoices are issued on the first business day of every month and are due within thirty days.',
    'Refunds for annual plans are prorated to the remaining full months of the subscription.',
    'We accept payment by credit card, bank transfer and purchase order for enterprise customers.',
    'Late payments incur a reminder after seven days and account suspension after sixty days.',
  ],
  security: [
    'Passwords must be at least twelve characters long and are stored with a memory-hard hash.',
    'Two-factor authentication can be enforced for every member of an organisation by its owner.',
    'Single sign-on supports SAML and OpenID Connect identity providers on the enterprise plan.',
    'Audit logs keep every administrative action for one year and can be exported as CSV.',
  ],
  shipping: [
    'Orders placed before noon ship the same day from our warehouse in Rotterdam.',
    'International parcels are tracked end to end and usually arrive within five working days.',
    'Returns are free within thirty days if the item is unused and in its original packaging.',
    'Oversized furniture is delivered by a two-person crew who also remove the packaging.',
  ],
};

const backends = [
  { name: 'Milvus Lite + PostgreSQL', real: true },
  { name: 'embedded default (PGlite + embedded vectors)', real: false },
];

describe.each(backends)('SearchService end to end on $name', ({ real }) => {
  let server: ServerProcess;
  let clients: ReturnType<typeof connectClients>;
  let dataDir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  const suffix = real ? `_${process.pid}` : '';
  const name = (c: string) => `${c}${suffix}`;
  const curl = (method: string, body: unknown) =>
    bufCurl(server.grpcAddress, `recall.v1.SearchService/${method}`, body);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-search-e2e-'));
    const env: Record<string, string> = { DATA_DIR: dataDir, SEARCH_DEFAULT_COLLECTIONS: name('billing') };
    if (real) {
      const db = await createTestDatabase(requireService('postgres'));
      dropDatabase = db.drop;
      env.DATABASE_URL = db.url;
      env.MILVUS_ADDRESS = requireService('milvus');
      env.PG_POOL_MIN = '1';
    }
    server = await startServerProcess(env);
    clients = connectClients(server.grpcAddress);
    for (const [collection, texts] of Object.entries(CORPUS)) {
      const written = await clients.search.upsertDocuments({
        collection: name(collection),
        documents: texts.map((text, i) => ({
          id: `${collection}-${i}`,
          text,
          metadata: { topic: collection, rank: i, public: i % 2 === 0 },
          vector: [],
        })),
      });
      expect(written.upsertedCount).toBe(texts.length);
    }
  });

  afterAll(async () => {
    clients?.search.close();
    await server?.stop();
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the collections with their counts, dimension and closed breakers', async () => {
    const { collections } = await clients.search.listCollections({});
    const mine = collections.filter((c) => Object.keys(CORPUS).map(name).includes(c.name));
    expect(mine).toHaveLength(3);
    for (const c of mine) expect(c).toMatchObject({ documentCount: 4, dimension: 384, state: 1 });
    expect(collections.some((c) => c.name.startsWith('_'))).toBe(false);
  });

  it('finds by words too: hybrid hits carry both ranks, lexical-only search names its retriever (buf curl)', async () => {
    const hybrid = await curl('Search', {
      query: 'Rotterdam warehouse',
      collections: [name('shipping')],
      limit: 4,
      rerank: 'RERANK_MODE_NEVER',
    });
    expect(hybrid.status).toBe(0);
    const json = hybrid.json as {
      hits: Array<{ id: string; lexicalScore?: number; lexicalRank?: number; vectorRank?: number }>;
      retrievers: string[];
      fusion: string;
    };
    expect(json.retrievers).toEqual(['RETRIEVER_DENSE', 'RETRIEVER_LEXICAL']);
    // The built-in embedder's default: weighted fusion leaning on BM25 (SEARCH_FUSION unset).
    expect(json.fusion).toBe('FUSION_METHOD_WEIGHTED');
    expect(json.hits[0]).toMatchObject({ id: 'shipping-0', lexicalRank: 1 });
    expect(json.hits[0]!.lexicalScore).toBeGreaterThan(0);
    expect(json.hits[0]!.vectorRank).toBeGreaterThan(0);

    const lexical = await clients.search.search({
      query: 'Rotterdam',
      vector: [],
      collections: [name('shipping'), name('billing')],
      limit: 3,
      filters: [],
      rerank: 0,
      userId: '',
      skipGoldenAnswer: true,
      goldenAnswerOnly: false,
      retrieval: 3,
      fusion: 0,
      rrfK: 0,
    });
    expect(lexical.retrievers).toEqual([2]);
    expect(lexical.hits.map((h) => h.id)).toEqual(['shipping-0']);
    expect(lexical.hits[0]).toMatchObject({ vectorRank: 0, vectorScore: 0, lexicalRank: 1 });
    const { collections } = await clients.search.listCollections({});
    expect(collections.find((c) => c.name === name('shipping'))?.lexical).toBe(true);
  });

  it('finds an exact document first and exits early without reranking (buf curl)', async () => {
    const text = CORPUS.shipping![0]!;
    const result = await curl('Search', {
      query: text,
      collections: Object.keys(CORPUS).map(name),
      limit: 3,
    });
    expect(result.status).toBe(0);
    const json = result.json as {
      hits: Array<{ id: string; collection: string; vectorScore: number }>;
      earlyExit?: boolean;
      reranked?: boolean;
      rerankOutcome: string;
      timings: Record<string, number>;
    };
    expect(json.hits[0]).toMatchObject({ id: 'shipping-0', collection: name('shipping') });
    expect(json.hits[0]!.vectorScore).toBeGreaterThan(0.9);
    expect(json.earlyExit).toBe(true);
    expect(json.reranked ?? false).toBe(false);
    expect(json.rerankOutcome).toBe('RERANK_OUTCOME_SKIPPED_EARLY_EXIT');
    expect(json.timings.totalMs).toBeGreaterThan(0);
    expect(json.timings.vectorSearchMs).toBeGreaterThan(0);
  });

  it('reranks a vague dense query; in hybrid AUTO exits early where the two retrievers agree', async () => {
    const vague = (retrieval: number) =>
      clients.search.search({
        query: 'how long until my parcel arrives',
        vector: [],
        collections: Object.keys(CORPUS).map(name),
        limit: 3,
        filters: [],
        rerank: 0,
        userId: 'searcher',
        skipGoldenAnswer: false,
        goldenAnswerOnly: false,
        retrieval,
        fusion: 0,
        rrfK: 0,
      });
    const dense = await vague(RetrievalMode.RETRIEVAL_MODE_DENSE);
    expect(dense).toMatchObject({
      earlyExit: false,
      reranked: true,
      rerankOutcome: RerankOutcome.RERANK_OUTCOME_RERANKED,
    });
    expect(dense.hits.length).toBeGreaterThan(0);
    expect(dense.hits[0]?.collection).toBe(name('shipping'));
    expect(dense.timings?.rerankMs).toBeGreaterThanOrEqual(0);

    // The server's default (hybrid): the few documents BM25 finds for these words are among the
    // dense list's first three, and that agreement is AUTO's early exit.
    const hybrid = await vague(RetrievalMode.RETRIEVAL_MODE_UNSPECIFIED);
    expect(hybrid).toMatchObject({
      earlyExit: true,
      reranked: false,
      rerankOutcome: RerankOutcome.RERANK_OUTCOME_SKIPPED_EARLY_EXIT,
      fusion: FusionMethod.FUSION_METHOD_WEIGHTED,
    });
    // Not necessarily first: Milvus Lite's analyzer does not stem, so "parcel" misses "parcels" there.
    expect(hybrid.hits.map((h) => h.id)).toContain('shipping-1');
    const stats = await clients.memory.getUserStats({ userId: 'searcher' });
    expect(stats.stats?.searchCount).toBe(2);
  });

  it('ranks the same whatever the limit: a smaller limit is a prefix of a larger one, in every mode', async () => {
    const ranking = async (limit: number, retrieval: RetrievalMode, rerank: RerankMode) => {
      const response = await clients.search.search({
        query: 'payment within thirty days of the order',
        vector: [],
        collections: Object.keys(CORPUS).map(name),
        limit,
        filters: [],
        rerank,
        userId: '',
        skipGoldenAnswer: true,
        goldenAnswerOnly: false,
        retrieval,
        fusion: 0,
        rrfK: 0,
      });
      return response.hits.map((h) => `${h.collection}/${h.id}`);
    };
    const modes = [RetrievalMode.RETRIEVAL_MODE_HYBRID, RetrievalMode.RETRIEVAL_MODE_DENSE];
    for (const retrieval of [...modes, RetrievalMode.RETRIEVAL_MODE_LEXICAL]) {
      for (const rerank of [RerankMode.RERANK_MODE_NEVER, RerankMode.RERANK_MODE_ALWAYS]) {
        const full = await ranking(100, retrieval, rerank);
        expect(full.length).toBeGreaterThan(3);
        for (const limit of [1, 2, 3, 10])
          expect(await ranking(limit, retrieval, rerank)).toEqual(full.slice(0, limit));
        // And the same again: ties break the same way every time.
        expect(await ranking(100, retrieval, rerank)).toEqual(full);
      }
    }
  });

  it('filters on metadata and cannot be widened by a hostile value', async () => {
    const filtered = await curl('Search', {
      query: 'payment invoices refunds',
      collections: [name('billing')],
      filters: [{ field: 'public', operator: 'FILTER_OPERATOR_EQ', values: [true] }],
      rerank: 'RERANK_MODE_NEVER',
    });
    const ids = ((filtered.json?.hits ?? []) as Array<{ id: string }>).map((h) => h.id).sort();
    expect(ids).toEqual(['billing-0', 'billing-2']);
    const hostile = await curl('Search', {
      query: 'payment invoices refunds',
      collections: [name('billing')],
      filters: [{ field: 'topic', operator: 'FILTER_OPERATOR_EQ', values: ['x" or metadata["rank"] >= 0 or "'] }],
    });
    expect(hostile.status).toBe(0);
    expect(hostile.json?.hits ?? []).toEqual([]);
  });

  it('returns the golden answer for its question', async () => {
    const upserted = await curl('UpsertGoldenAnswer', {
      question: 'When are invoices due?',
      answer: 'Thirty days after the first business day of the month.',
      sources: ['billing-0'],
    });
    expect(upserted.json).toMatchObject({ created: true });
    const result = await curl('Search', { query: '  when are INVOICES due ', collections: [name('billing')] });
    expect(result.json?.goldenAnswer).toMatchObject({
      answer: 'Thirty days after the first business day of the month.',
      match: 'GOLDEN_ANSWER_MATCH_EXACT',
    });
    const id = (upserted.json?.goldenAnswer as { id: string } | undefined)?.id;
    expect((await curl('DeleteGoldenAnswer', { id })).status).toBe(0);
    const after = await curl('Search', { query: 'when are invoices due', collections: [name('billing')] });
    expect(after.json?.goldenAnswer).toBeUndefined();
    expect((await curl('DeleteGoldenAnswer', { id })).status).toBe(status.NOT_FOUND);
  });

  it('answers with a partial result naming the collection that failed', async () => {
    const result = await curl('Search', {
      query: CORPUS.billing![1],
      collections: [name('billing'), name('missing')],
    });
    expect(result.status).toBe(0);
    expect(result.json).toMatchObject({ partial: true });
    expect(result.json?.failedCollections).toEqual([expect.objectContaining({ name: name('missing') })]);
    expect(((result.json?.hits ?? []) as Array<{ id: string }>)[0]?.id).toBe('billing-1');
  });

  it('deletes documents and rejects bad input by field', async () => {
    const deleted = await clients.search.deleteDocuments({ collection: name('shipping'), ids: ['shipping-3', 'nope'] });
    expect(deleted.deletedCount).toBe(1);
    const bad = await curl('UpsertDocuments', {
      collection: name('shipping'),
      documents: [
        { id: 'ok', text: 'fine' },
        { id: '', text: '' },
      ],
    });
    expect(bad.status).toBe(status.INVALID_ARGUMENT);
    expect(bad.stderr).toContain('documents[1].id');
    expect(bad.stderr).toContain('documents[1].text');
    expect(await statusOf(clients.search.listCollections({}))).toBeUndefined();
    const search = await curl('Search', { query: 'x', filters: [{ field: '1bad', operator: 'FILTER_OPERATOR_GT' }] });
    expect(search.status).toBe(status.INVALID_ARGUMENT);
    expect(search.stderr).toContain('filters[0].field');
  });

  it('shows every stage in the metrics', async () => {
    const text = await (await fetch(`${server.metricsUrl}/metrics`)).text();
    expect(text).toMatch(/recall_rag_pipeline_duration_seconds_count [1-9]/);
    expect(text).toMatch(/recall_rag_embedding_duration_seconds_count [1-9]/);
    expect(text).toMatch(/recall_rag_reranking_duration_seconds_count [1-9]/);
    expect(text).toMatch(/recall_rag_early_exit_total [1-9]/);
    expect(text).toMatch(/recall_rag_parallel_searches_total [1-9]/);
    expect(text).toMatch(/recall_rag_golden_answer_hits_total\{match="exact"\} [1-9]/);
    expect(text).toMatch(
      new RegExp(`recall_rag_vector_search_duration_seconds_count\\{collection="${name('billing')}"\\} [1-9]`),
    );
    expect(text).toMatch(
      new RegExp(`recall_circuit_breaker_state\\{breaker="collection:${name('billing')}",state="closed"\\} 1`),
    );
  });
});
