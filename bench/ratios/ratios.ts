import { Client } from 'pg';
import { embedText } from '../../src/adapters/embedders/local-embedder';
import { LIST_FACTS } from '../../src/adapters/sql/memory-sql';
import { DEFAULT_SEARCH_OPTIONS } from '../../src/domain/search';
import { RerankMode, RetrievalMode, SearchRequest } from '../../src/gen/recall/v1/search';
import type { Reporter } from '../report/progress';
import type { BareRoundTrip } from '../server/bare-round-trip';
import type { RecallClients } from '../server/clients';
import type { BenchQuery } from '../workload/corpus';
import { userId } from '../workload/memory-workload';
import { createRandom } from '../workload/prng';
import type { DirectSearch } from './direct-search';
import { type MemorySqlTarget, memorySqlRatio } from './memory-sql-ratio';
import { type RatioResult, type SkippedRatio, paired, ratioOf } from './paired';
import { recallFactsRatio } from './recall-facts-ratio';

export type { RatioResult, SkippedRatio } from './paired';

/** What the ratio phase needs: the compare server, optional second servers and direct paths. */
export interface RatioContext {
  clients: RecallClients;
  /** A recall with SEARCH_FAN_OUT=sequential on the same data. */
  sequential: RecallClients | undefined;
  sequentialUnavailable?: string;
  direct: DirectSearch | undefined;
  directUnavailable?: string;
  /** A bare grpc-js round trip to the compare server (its health Check). */
  bareRoundTrip: BareRoundTrip;
  /** The memory tables for the SQL-only compare / baseline ratio (see memory-sql-ratio.ts). */
  memorySql: MemorySqlTarget | undefined;
  /** PostgreSQL URL of the same database (undefined on PGlite). */
  databaseUrl: string | undefined;
  collections: string[];
  queries: readonly BenchQuery[];
  users: number;
  pairs: number;
  seed: number;
  dimension: number;
}

const LIMIT = 10;
/** recall asks each collection for SEARCH_FUSION_DEPTH (100) candidates, whatever the limit (SearchOptions.fusionDepth). */
const CANDIDATES = DEFAULT_SEARCH_OPTIONS.fusionDepth;
const PAGE_SIZE = 20;
const TIMEOUT_MS = 30_000;
const ROUND_TRIP = 'one bare grpc-js round trip (health Check) to the same server';

/**
 * Waits (up to 60 s) until one vector search per collection succeeds on each server, so that
 * a breaker the load phase opened has closed again before anything is compared.
 */
async function settle(servers: RecallClients[], collections: string[], vector: number[]): Promise<void> {
  const until = Date.now() + 60_000;
  for (const clients of servers) {
    for (const collection of collections) {
      for (;;) {
        try {
          await clients.search.search(
            SearchRequest.fromPartial({
              vector,
              collections: [collection],
              limit: 1,
              rerank: RerankMode.RERANK_MODE_NEVER,
              skipGoldenAnswer: true,
            }),
            { timeoutMs: TIMEOUT_MS },
          );
          break;
        } catch (error) {
          if (Date.now() > until) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    }
  }
}

/** Runs the comparisons of issues 4 and 19; one that cannot run here is reported as skipped. */
export async function measureRatios(ctx: RatioContext, reporter: Reporter): Promise<Array<RatioResult | SkippedRatio>> {
  const random = createRandom(ctx.seed).fork('ratios');
  // The same i picks the same query on every side of a pair.
  const jitter = Array.from({ length: ctx.pairs }, () => random.int(0, 3));
  const pick = (list: readonly BenchQuery[], i: number) => list[(i * 7919 + jitter[i]!) % list.length]!;
  const vectors = Array.from({ length: ctx.pairs }, (_, i) => embedText(pick(ctx.queries, i).text, ctx.dimension));
  await settle(ctx.sequential ? [ctx.clients, ctx.sequential] : [ctx.clients], ctx.collections, vectors[0]!);
  const bar = reporter.progress('side-by-side ratios', 7, 'comparisons');
  const results: Array<RatioResult | SkippedRatio> = [];
  const steps = [
    () => floorRatios(ctx, vectors),
    () => fanOutRatios(ctx, vectors),
    () => listFactsRatios(ctx, random.int(0, 2 ** 30)),
    () => rerankRatios(ctx, pick),
    () => hybridRatio(ctx, pick),
    () => recallFactsRatio(ctx, pick),
    async () =>
      ctx.memorySql
        ? [await memorySqlRatio(ctx.memorySql, ctx.users, ctx.pairs, ctx.seed)]
        : [
            {
              id: 'memory_reads_sql_compare_vs_baseline' as const,
              name: 'memory reads as SQL: compare / baseline',
              skipped: 'no database to reach from the benchmark (with --target, set DATABASE_URL)',
            },
          ],
  ];
  for (const [i, step] of steps.entries()) {
    results.push(...(await step()));
    bar.update(i + 1);
  }
  bar.stop();
  return results;
}

function vectorSearch(clients: RecallClients, collections: string[], vector: number[]) {
  return clients.search.search(
    SearchRequest.fromPartial({
      vector,
      collections,
      limit: LIMIT,
      rerank: RerankMode.RERANK_MODE_NEVER,
      skipGoldenAnswer: true,
    }),
    { timeoutMs: TIMEOUT_MS },
  );
}

/** 1. recall vs its floor: one collection, vector given, no rerank, no golden answer; and vs the floor plus one bare round trip. */
async function floorRatios(ctx: RatioContext, vectors: number[][]): Promise<Array<RatioResult | SkippedRatio>> {
  const name = 'search through recall / direct vector search';
  if (!ctx.direct) {
    const skipped = ctx.directUnavailable ?? 'no direct path';
    return [
      { id: 'search_vs_direct', name, skipped },
      { id: 'search_vs_direct_plus_round_trip', name: `${name} + one bare round trip`, skipped },
    ];
  }
  const direct = ctx.direct;
  const first = ctx.collections[0]!;
  const recallTop: Array<string | undefined> = [];
  const directTop: Array<string | undefined> = [];
  const measured = await paired(ctx.pairs, [
    async (i) => {
      recallTop[i] = (await vectorSearch(ctx.clients, [first], vectors[i]!)).hits[0]?.id;
    },
    async (i) => {
      directTop[i] = (await direct.search(first, vectors[i]!, CANDIDATES))[0];
    },
    () => ctx.bareRoundTrip.call(),
  ]);
  const agree = recallTop.filter((id, i) => id !== undefined && id === directTop[i]).length;
  const a = `recall Search (vector given, RERANK_MODE_NEVER, 1 collection, skip_golden_answer, limit ${LIMIT})`;
  const b = `${direct.label} (limit ${CANDIDATES}, what recall asks the store for)`;
  return [
    ratioOf('search_vs_direct', { name, a, b }, measured, [0, 1], `same top hit in ${agree} of ${ctx.pairs} pairs`),
    ratioOf(
      'search_vs_direct_plus_round_trip',
      { name: 'search through recall / (direct vector search + one bare round trip)', a, b: `${b} + ${ROUND_TRIP}` },
      measured,
      [0, [1, 2]],
    ),
  ];
}

/** 2. fan-out: N collections in parallel vs one collection, and vs sequential. */
async function fanOutRatios(ctx: RatioContext, vectors: number[][]): Promise<Array<RatioResult | SkippedRatio>> {
  const n = ctx.collections.length;
  const name = `fan-out: ${n} collections parallel / sequential`;
  if (!ctx.sequential) {
    const skipped = ctx.sequentialUnavailable ?? 'no sequential server';
    return [
      { id: 'fan_out_parallel_vs_one', name: `fan-out: ${n} collections parallel / 1 collection`, skipped },
      { id: 'fan_out_parallel_vs_sequential', name, skipped },
    ];
  }
  const sequential = ctx.sequential;
  const measured = await paired(ctx.pairs, [
    (i) => vectorSearch(ctx.clients, ctx.collections, vectors[i]!),
    (i) => vectorSearch(ctx.clients, [ctx.collections[0]!], vectors[i]!),
    (i) => vectorSearch(sequential, ctx.collections, vectors[i]!),
  ]);
  const a = `recall, ${n} collections, SEARCH_FAN_OUT=parallel`;
  return [
    ratioOf(
      'fan_out_parallel_vs_one',
      { name: `fan-out: ${n} collections parallel / 1 collection`, a, b: 'recall, 1 collection' },
      measured,
      [0, 1],
    ),
    ratioOf(
      'fan_out_parallel_vs_sequential',
      { name, a, b: `a second recall on the same data, ${n} collections, SEARCH_FAN_OUT=sequential` },
      measured,
      [0, 2],
    ),
  ];
}

/**
 * 3. ListFacts through recall vs the same SQL with raw pg (unnamed, as an ad-hoc client sends
 * it), vs that plus one bare round trip, and what a named prepared statement saves raw pg.
 */
async function listFactsRatios(ctx: RatioContext, seed: number): Promise<Array<RatioResult | SkippedRatio>> {
  const name = 'ListFacts through recall / raw pg';
  if (!ctx.databaseUrl) {
    const skipped =
      'no PostgreSQL URL: PGlite runs inside the server process, out of reach (use --postgres, or DATABASE_URL with --target)';
    return [
      { id: 'list_facts_vs_raw_pg', name, skipped },
      { id: 'list_facts_vs_raw_pg_plus_round_trip', name: `${name} + one bare round trip`, skipped },
      { id: 'raw_pg_named_vs_unnamed', name: 'raw pg ListFacts SQL: named prepared / unnamed', skipped },
    ];
  }
  const pg = new Client({ connectionString: ctx.databaseUrl, application_name: 'recall-bench-raw' });
  pg.on('error', () => {});
  await pg.connect();
  try {
    const random = createRandom(seed);
    const users = Array.from({ length: ctx.pairs }, () => userId(random.int(0, ctx.users - 1)));
    const params = (i: number) => [users[i]!, PAGE_SIZE + 1, false, null]; // the default view: facts valid now
    const measured = await paired(ctx.pairs, [
      (i) =>
        ctx.clients.memory.listFacts(
          { userId: users[i]!, pageSize: PAGE_SIZE, pageToken: '' },
          { timeoutMs: TIMEOUT_MS },
        ),
      (i) => pg.query(LIST_FACTS, params(i)),
      () => ctx.bareRoundTrip.call(),
      (i) => pg.query({ name: 'bench_list_facts', text: LIST_FACTS, values: params(i) }),
    ]);
    const a = `recall ListFacts (page_size ${PAGE_SIZE}, first page)`;
    const b = `the same SQL (LIST_FACTS, limit ${PAGE_SIZE + 1}) with raw pg on one open connection, unnamed`;
    return [
      ratioOf('list_facts_vs_raw_pg', { name, a, b }, measured, [0, 1]),
      ratioOf(
        'list_facts_vs_raw_pg_plus_round_trip',
        { name: 'ListFacts through recall / (raw pg + one bare round trip)', a, b: `${b} + ${ROUND_TRIP}` },
        measured,
        [0, [1, 2]],
      ),
      ratioOf(
        'raw_pg_named_vs_unnamed',
        {
          name: 'raw pg ListFacts SQL: named prepared / unnamed',
          a: 'LIST_FACTS as a named prepared statement (parsed once, plan cached)',
          b: 'LIST_FACTS unnamed (parsed and planned every call)',
        },
        measured,
        [3, 1],
      ),
    ];
  } finally {
    await pg.end().catch(() => undefined);
  }
}

type Pick = (list: readonly BenchQuery[], i: number) => BenchQuery;

/**
 * 4. early exit vs rerank, through the whole pipeline: the same near-exact query reranked
 * (ALWAYS) and as AUTO leaves it (its early exit). The same query on both sides, because
 * which queries AUTO trusts is the rule's business (agreement between the retrievers), not
 * the query generator's: a "vague" query of this corpus mostly has an agreeing top too.
 */
async function rerankRatios(ctx: RatioContext, pick: Pick): Promise<Array<RatioResult | SkippedRatio>> {
  const nearExact = ctx.queries.filter((q) => q.kind === 'near_exact');
  const name = 'reranked query / early-exit query';
  if (nearExact.length === 0) {
    const skipped = 'the query set has no near-exact queries';
    return [
      { id: 'reranked_vs_early_exit', name, skipped },
      { id: 'early_exit_vs_reranked', name: 'AUTO (early exit) / ALWAYS rerank', skipped },
    ];
  }
  const noLexical = await lexicalSideMissing(ctx, nearExact[0]!);
  if (noLexical) {
    return [
      { id: 'reranked_vs_early_exit', name, skipped: noLexical },
      { id: 'early_exit_vs_reranked', name: 'AUTO (early exit) / ALWAYS rerank', skipped: noLexical },
    ];
  }
  let rerankedOk = 0;
  let exitedOk = 0;
  const textSearch = (query: BenchQuery, rerank: RerankMode) =>
    ctx.clients.search.search(
      SearchRequest.fromPartial({ query: query.text, collections: ctx.collections, limit: LIMIT, rerank }),
      { timeoutMs: TIMEOUT_MS },
    );
  const measured = await paired(ctx.pairs, [
    async (i) => {
      if ((await textSearch(pick(nearExact, i), RerankMode.RERANK_MODE_ALWAYS)).reranked) rerankedOk++;
    },
    async (i) => {
      if ((await textSearch(pick(nearExact, i), RerankMode.RERANK_MODE_AUTO)).earlyExit) exitedOk++;
    },
  ]);
  const always = `near-exact query, RERANK_MODE_ALWAYS (reranked in ${rerankedOk} of ${ctx.pairs})`;
  const auto = `the same query, RERANK_MODE_AUTO (exited early in ${exitedOk} of ${ctx.pairs})`;
  return [
    ratioOf('reranked_vs_early_exit', { name, a: always, b: auto }, measured, [0, 1]),
    ratioOf(
      'early_exit_vs_reranked',
      { name: 'AUTO (early exit) / ALWAYS rerank', a: auto, b: always },
      measured,
      [1, 0],
    ),
  ];
}

/**
 * Why the default early exit cannot fire on this server, or undefined when it can: its rule
 * is agreement between the dense and the lexical top hits, and a vector store without a
 * lexical side (Milvus 2.3, which has no BM25 function) names every collection in the
 * response's `lexical_unavailable`. A lexical side that exists but stopped agreeing is left for
 * the ratio to show.
 */
async function lexicalSideMissing(ctx: RatioContext, query: BenchQuery): Promise<string | undefined> {
  const response = await ctx.clients.search.search(
    SearchRequest.fromPartial({
      query: query.text,
      collections: ctx.collections,
      limit: LIMIT,
      rerank: RerankMode.RERANK_MODE_NEVER,
      skipGoldenAnswer: true,
    }),
    { timeoutMs: TIMEOUT_MS },
  );
  const missing = response.lexicalUnavailable.length;
  if (missing < ctx.collections.length) return undefined;
  return `no collection has a lexical side on this vector store (lexical_unavailable: ${missing} of ${ctx.collections.length}), so the agreement rule's early exit cannot fire`;
}

/** 5. hybrid vs dense retrieval: the same text query over every collection, no rerank. */
async function hybridRatio(ctx: RatioContext, pick: Pick): Promise<Array<RatioResult | SkippedRatio>> {
  const search = (query: BenchQuery, retrieval: RetrievalMode) =>
    ctx.clients.search.search(
      SearchRequest.fromPartial({
        query: query.text,
        collections: ctx.collections,
        limit: LIMIT,
        rerank: RerankMode.RERANK_MODE_NEVER,
        retrieval,
        skipGoldenAnswer: true,
      }),
      { timeoutMs: TIMEOUT_MS },
    );
  const measured = await paired(ctx.pairs, [
    (i) => search(pick(ctx.queries, i), RetrievalMode.RETRIEVAL_MODE_HYBRID),
    (i) => search(pick(ctx.queries, i), RetrievalMode.RETRIEVAL_MODE_DENSE),
  ]);
  const all = `${ctx.collections.length} collections, RERANK_MODE_NEVER, skip_golden_answer`;
  return [
    ratioOf(
      'hybrid_vs_dense',
      {
        name: 'hybrid / dense retrieval',
        a: `recall Search, RETRIEVAL_MODE_HYBRID, ${all}`,
        b: `the same query, RETRIEVAL_MODE_DENSE, ${all}`,
      },
      measured,
      [0, 1],
    ),
  ];
}
