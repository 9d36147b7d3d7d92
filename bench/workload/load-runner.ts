import { performance } from 'node:perf_hooks';
import { type ServiceError, status } from '@grpc/grpc-js';
import { RerankMode, SearchRequest } from '../../src/gen/recall/v1/search';
import type { RecallClients } from '../server/clients';
import type { BenchQuery, QueryKind } from './corpus';
import { userId } from './memory-workload';
import { type Random, createRandom } from './prng';

/** The RPCs the load mixes. */
export type OperationName = 'search' | 'list_facts' | 'list_conversations' | 'get_user_stats';

/** Relative weights of the operations a worker picks (paging continues a listing, see runLoad). */
export type LoadMix = Record<OperationName, number>;

/** The default mix: mostly searches, with the memory reads an assistant makes around them. */
export const DEFAULT_MIX: LoadMix = { search: 0.7, list_facts: 0.14, list_conversations: 0.1, get_user_stats: 0.06 };

/** What to run. */
export interface LoadPlan {
  concurrency: number;
  /** Stop starting calls after this long (ms)… */
  durationMs?: number;
  /** …or after this many calls. */
  requests?: number;
  seed: number;
  /** Label of the random stream, so warm-up and measurement see different sequences. */
  stream: string;
  collections: string[];
  users: number;
  queries: readonly BenchQuery[];
  mix?: LoadMix;
  /** Share of searches made on a user's behalf (recall counts them in user_stats). */
  searchWithUserShare?: number;
  timeoutMs?: number;
}

/** What one load run measured (latencies in ms, as the client saw them). */
export interface LoadResult {
  wallMs: number;
  completed: number;
  latencies: Record<OperationName, number[]>;
  searchByKind: Record<QueryKind, number[]>;
  /** `<operation> <STATUS>` → count. */
  errors: Record<string, number>;
  searches: {
    ok: number;
    earlyExit: number;
    reranked: number;
    rerankFailed: number;
    partial: number;
    nearExactEarlyExit: number;
    nearExact: number;
  };
}

const PAGE_SIZE = 20;
const MAX_PAGES = 5;

/**
 * Runs `concurrency` workers, each a closed loop (next call when the last one answered) with
 * its own seeded random stream: same plan, same sequence of calls per worker. A listing
 * continues to its next page with probability 1/2, up to 5 pages; each page is one call.
 */
export async function runLoad(
  clients: RecallClients,
  plan: LoadPlan,
  onProgress?: (completed: number, elapsedMs: number) => void,
): Promise<LoadResult> {
  const mix = plan.mix ?? DEFAULT_MIX;
  const timeoutMs = plan.timeoutMs ?? 30_000;
  const result: LoadResult = {
    wallMs: 0,
    completed: 0,
    latencies: { search: [], list_facts: [], list_conversations: [], get_user_stats: [] },
    searchByKind: { near_exact: [], vague: [] },
    errors: {},
    searches: { ok: 0, earlyExit: 0, reranked: 0, rerankFailed: 0, partial: 0, nearExactEarlyExit: 0, nearExact: 0 },
  };
  const started = performance.now();
  const endAt = plan.durationMs === undefined ? Number.POSITIVE_INFINITY : started + plan.durationMs;
  let issued = 0;
  const mayStart = () => {
    if (performance.now() >= endAt) return false;
    if (plan.requests !== undefined && issued >= plan.requests) return false;
    issued++;
    return true;
  };

  const timed = async <T>(operation: OperationName, call: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now();
    try {
      const response = await call();
      result.latencies[operation].push(performance.now() - t0);
      return response;
    } catch (error) {
      const code = (error as ServiceError).code;
      const key = `${operation} ${typeof code === 'number' ? status[code] : 'CLIENT_ERROR'}`;
      result.errors[key] = (result.errors[key] ?? 0) + 1;
      return undefined;
    } finally {
      result.completed++;
    }
  };

  const search = async (random: Random) => {
    const query = random.pick(plan.queries);
    const t0 = performance.now();
    const request = SearchRequest.fromPartial({
      query: query.text,
      collections: plan.collections,
      limit: 10,
      rerank: RerankMode.RERANK_MODE_AUTO,
      userId: random.chance(plan.searchWithUserShare ?? 0.5) ? userId(random.int(0, plan.users - 1)) : '',
    });
    const response = await timed('search', () => clients.search.search(request, { timeoutMs }));
    if (!response) return;
    result.searchByKind[query.kind].push(performance.now() - t0);
    const s = result.searches;
    s.ok++;
    if (response.earlyExit) s.earlyExit++;
    if (response.reranked) s.reranked++;
    if (response.rerankError) s.rerankFailed++;
    if (response.partial) s.partial++;
    if (query.kind === 'near_exact') {
      s.nearExact++;
      if (response.earlyExit) s.nearExactEarlyExit++;
    }
  };

  const listing = async (random: Random, operation: 'list_facts' | 'list_conversations') => {
    const user = userId(random.int(0, plan.users - 1));
    let pageToken = '';
    for (let page = 0; page < MAX_PAGES; page++) {
      if (page > 0 && (!pageToken || !random.chance(0.5) || !mayStart())) return;
      const request = { userId: user, pageSize: PAGE_SIZE, pageToken };
      const response =
        operation === 'list_facts'
          ? await timed(operation, () => clients.memory.listFacts(request, { timeoutMs }))
          : await timed(operation, () => clients.memory.listConversations(request, { timeoutMs }));
      pageToken = response?.nextPageToken ?? '';
    }
  };

  const weights = Object.entries(mix) as [OperationName, number][];
  const totalWeight = weights.reduce((s, [, w]) => s + w, 0);
  const pickOperation = (random: Random): OperationName => {
    let roll = random.next() * totalWeight;
    for (const [name, weight] of weights) {
      roll -= weight;
      if (roll < 0) return name;
    }
    return weights.at(-1)![0];
  };

  const worker = async (index: number) => {
    const random = createRandom(plan.seed).fork(`${plan.stream}:worker:${index}`);
    while (mayStart()) {
      const operation = pickOperation(random);
      if (operation === 'search') await search(random);
      else if (operation === 'get_user_stats') {
        const request = { userId: userId(random.int(0, plan.users - 1)) };
        await timed(operation, () => clients.memory.getUserStats(request, { timeoutMs }));
      } else await listing(random, operation);
    }
  };

  const ticker = onProgress
    ? setInterval(() => onProgress(result.completed, performance.now() - started), 250)
    : undefined;
  try {
    await Promise.all(Array.from({ length: plan.concurrency }, (_, i) => worker(i)));
  } finally {
    clearInterval(ticker);
  }
  result.wallMs = performance.now() - started;
  return result;
}
