import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { embedText } from '../src/adapters/embedders/local-embedder';
import { LIST_FACTS } from '../src/adapters/sql/memory-sql';
import { DEFAULT_SEARCH_OPTIONS } from '../src/domain/search';
import { RerankMode, SearchRequest } from '../src/gen/recall/v1/search';
import type { RecallClients } from './clients';
import type { BenchQuery } from './corpus';
import type { DirectSearch } from './direct-search';
import { userId } from './memory-workload';
import { createRandom } from './prng';
import type { Reporter } from './progress';
import { median, quantile, round } from './stats';

/** One side-by-side comparison: A and B measured in alternating pairs, ratio = A / B per pair. */
export interface RatioResult {
  name: string;
  a: string;
  b: string;
  pairs: number;
  medianAMs: number;
  medianBMs: number;
  /** Median over the pairs of A / B (the figure to read). */
  medianRatio: number;
  p25Ratio: number;
  p75Ratio: number;
  note?: string;
}

/** A comparison that could not run here, and why. */
export interface SkippedRatio {
  name: string;
  skipped: string;
}

/** What the ratio phase needs: the compare server, optional second servers and direct paths. */
export interface RatioContext {
  clients: RecallClients;
  /** A recall with SEARCH_FAN_OUT=sequential on the same data. */
  sequential: RecallClients | undefined;
  sequentialUnavailable?: string;
  direct: DirectSearch | undefined;
  directUnavailable?: string;
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

/** The times of each side over the pairs that completed, and how many pairs failed. */
interface PairedTimes {
  times: number[][];
  failed: number;
  firstError: string | undefined;
}

/**
 * Measures each pair one call after the other at concurrency 1, alternating which side goes
 * first (A B, B A, …) so that warm-up, caches and the machine's drift fall on both sides
 * equally. A pair in which a call fails is left out and counted.
 */
async function paired(pairs: number, sides: Array<(i: number) => Promise<void>>): Promise<PairedTimes> {
  const times = sides.map(() => [] as number[]);
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < pairs; i++) {
    const order = sides.map((_, k) => (k + i) % sides.length);
    const pair: number[] = [];
    try {
      for (const k of order) {
        const t0 = performance.now();
        await sides[k]!(i);
        pair[k] = performance.now() - t0;
      }
      pair.forEach((ms, k) => times[k]!.push(ms));
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }
  return { times, failed, firstError };
}

function ratioOf(
  name: string,
  a: string,
  b: string,
  measured: PairedTimes,
  sides: [number, number],
  note?: string,
): RatioResult | SkippedRatio {
  const aMs = measured.times[sides[0]]!;
  const bMs = measured.times[sides[1]]!;
  if (aMs.length === 0) return { name, skipped: `every pair failed: ${measured.firstError}` };
  const ratios = aMs.map((v, i) => v / bMs[i]!).sort((x, y) => x - y);
  const failures =
    measured.failed > 0 ? `${measured.failed} pairs failed and were left out (${measured.firstError})` : '';
  const notes = [note, failures].filter(Boolean).join('; ');
  return {
    name,
    a,
    b,
    pairs: ratios.length,
    medianAMs: round(median(aMs)),
    medianBMs: round(median(bMs)),
    medianRatio: round(quantile(ratios, 0.5), 2),
    p25Ratio: round(quantile(ratios, 0.25), 2),
    p75Ratio: round(quantile(ratios, 0.75), 2),
    ...(notes ? { note: notes } : {}),
  };
}

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

/** Runs the four comparisons of issue 4; one that cannot run here is reported as skipped. */
export async function measureRatios(ctx: RatioContext, reporter: Reporter): Promise<Array<RatioResult | SkippedRatio>> {
  const random = createRandom(ctx.seed).fork('ratios');
  const nearExact = ctx.queries.filter((q) => q.kind === 'near_exact');
  const vague = ctx.queries.filter((q) => q.kind === 'vague');
  const pick = (list: readonly BenchQuery[], i: number) => list[(i * 7919 + random.int(0, 3)) % list.length]!;
  const vectors = Array.from({ length: ctx.pairs }, (_, i) => embedText(pick(ctx.queries, i).text, ctx.dimension));
  const first = ctx.collections[0]!;
  const vectorSearch = (clients: RecallClients, collections: string[], vector: number[]) =>
    clients.search.search(
      SearchRequest.fromPartial({
        vector,
        collections,
        limit: LIMIT,
        rerank: RerankMode.RERANK_MODE_NEVER,
        skipGoldenAnswer: true,
      }),
      { timeoutMs: TIMEOUT_MS },
    );
  await settle(ctx.sequential ? [ctx.clients, ctx.sequential] : [ctx.clients], ctx.collections, vectors[0]!);
  const results: Array<RatioResult | SkippedRatio> = [];
  const bar = reporter.progress('side-by-side ratios', 4, 'comparisons');

  // 1. recall vs its floor: one collection, vector given, no rerank, no golden answer.
  if (ctx.direct) {
    const direct = ctx.direct;
    const recallTop: Array<string | undefined> = [];
    const directTop: Array<string | undefined> = [];
    const measured = await paired(ctx.pairs, [
      async (i) => {
        recallTop[i] = (await vectorSearch(ctx.clients, [first], vectors[i]!)).hits[0]?.id;
      },
      async (i) => {
        directTop[i] = (await direct.search(first, vectors[i]!, CANDIDATES))[0];
      },
    ]);
    const agree = recallTop.filter((id, i) => id !== undefined && id === directTop[i]).length;
    results.push(
      ratioOf(
        'search through recall / direct vector search',
        `recall Search (vector given, RERANK_MODE_NEVER, 1 collection, skip_golden_answer, limit ${LIMIT})`,
        `${direct.label} (limit ${CANDIDATES}, what recall asks the store for)`,
        measured,
        [0, 1],
        `same top hit in ${agree} of ${ctx.pairs} pairs`,
      ),
    );
  } else {
    results.push({
      name: 'search through recall / direct vector search',
      skipped: ctx.directUnavailable ?? 'no direct path',
    });
  }
  bar.update(1);

  // 2. fan-out: N collections in parallel vs one collection, and vs sequential.
  const n = ctx.collections.length;
  if (ctx.sequential) {
    const sequential = ctx.sequential;
    const measured = await paired(ctx.pairs, [
      (i) => vectorSearch(ctx.clients, ctx.collections, vectors[i]!).then(() => undefined),
      (i) => vectorSearch(ctx.clients, [first], vectors[i]!).then(() => undefined),
      (i) => vectorSearch(sequential, ctx.collections, vectors[i]!).then(() => undefined),
    ]);
    results.push(
      ratioOf(
        `fan-out: ${n} collections parallel / 1 collection`,
        `recall, ${n} collections, SEARCH_FAN_OUT=parallel`,
        'recall, 1 collection',
        measured,
        [0, 1],
      ),
      ratioOf(
        `fan-out: ${n} collections parallel / sequential`,
        `recall, ${n} collections, SEARCH_FAN_OUT=parallel`,
        `a second recall on the same data, ${n} collections, SEARCH_FAN_OUT=sequential`,
        measured,
        [0, 2],
      ),
    );
  } else {
    results.push({
      name: `fan-out: ${n} collections parallel / sequential`,
      skipped: ctx.sequentialUnavailable ?? 'no sequential server',
    });
  }
  bar.update(2);

  // 3. ListFacts through recall vs the same SQL with raw pg.
  if (ctx.databaseUrl) {
    const pg = new Client({ connectionString: ctx.databaseUrl, application_name: 'recall-bench-raw' });
    pg.on('error', () => {});
    await pg.connect();
    try {
      const users = Array.from({ length: ctx.pairs }, () => userId(random.int(0, ctx.users - 1)));
      const measured = await paired(ctx.pairs, [
        (i) =>
          ctx.clients.memory
            .listFacts({ userId: users[i]!, pageSize: PAGE_SIZE, pageToken: '' }, { timeoutMs: TIMEOUT_MS })
            .then(() => undefined),
        (i) => pg.query(LIST_FACTS, [users[i]!, PAGE_SIZE + 1, false, null]).then(() => undefined),
      ]);
      results.push(
        ratioOf(
          'ListFacts through recall / raw pg',
          `recall ListFacts (page_size ${PAGE_SIZE}, first page)`,
          `the same SQL (LIST_FACTS, limit ${PAGE_SIZE + 1}) with raw pg on one open connection`,
          measured,
          [0, 1],
        ),
      );
    } finally {
      await pg.end().catch(() => undefined);
    }
  } else {
    results.push({
      name: 'ListFacts through recall / raw pg',
      skipped:
        'no PostgreSQL URL: PGlite runs inside the server process, out of reach (use --postgres, or DATABASE_URL with --target)',
    });
  }
  bar.update(3);

  // 4. early exit vs rerank, through the whole pipeline: the same near-exact query reranked
  // (ALWAYS) and as AUTO leaves it (its early exit). The same query on both sides, because
  // which queries AUTO trusts is the rule's business (agreement between the retrievers), not
  // the query generator's: a "vague" query of this corpus mostly has an agreeing top too.
  if (nearExact.length > 0 && vague.length > 0) {
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
    results.push(
      ratioOf(
        'reranked query / early-exit query',
        `near-exact query, RERANK_MODE_ALWAYS (reranked in ${rerankedOk} of ${ctx.pairs})`,
        `the same query, RERANK_MODE_AUTO (exited early in ${exitedOk} of ${ctx.pairs})`,
        measured,
        [0, 1],
      ),
    );
  } else {
    results.push({
      name: 'reranked query / early-exit query',
      skipped: 'the query set has no near-exact or no vague queries',
    });
  }
  bar.stop();
  return results;
}
