import type { CallContext } from '../context';
import { NotFoundError, defined } from '../errors';
import type {
  Fact,
  FactView,
  ForgetUserCounts,
  LexicalFactIndex,
  MemoryRepository,
  Metadata,
  UserStats,
} from '../ports';
import { createConversations } from './conversations';
import type { FactEntry, FactIndex } from './fact-index';
import { type FactRecallOptions, type MemoryLogger, createFactRecall } from './fact-recall';
import { createFactVersions } from './fact-versions';
import { type FactInput, validateAddFacts, validateDeleteFacts, validateUserId } from './memory-validation';
import type { PageTokenCodec } from './page-token';
import { type PageInput, decodeTimePage, splitPage } from './pages';

export interface AddFactsInput {
  userId: string;
  facts: Array<FactInput & { metadata: Metadata }>;
}
export type { AppendMessagesInput } from './conversations';
export type { PageInput } from './pages';
/**
 * The MemoryService's rules: validation, page tokens, and keeping the fact index in step
 * with the database. Storage itself is the repository's.
 */
export function createMemoryService(deps: {
  repository: MemoryRepository;
  pageTokens: PageTokenCodec;
  factIndex?: FactIndex;
  /** RecallFacts' lexical side; without it RecallFacts is dense only. */
  lexicalIndex?: LexicalFactIndex;
  /** RecallFacts' default retrieval mode and fusion; hybrid with RRF (k 60) without it. */
  recall?: FactRecallOptions;
  logger?: MemoryLogger;
  /** RecallFacts weighs scores by the facts' age with this half-life (days); 0 or unset: off. */
  recencyHalfLifeDays?: number;
}) {
  const { repository, pageTokens, factIndex, logger } = deps;

  const recallFacts = createFactRecall({
    repository,
    factIndex,
    lexicalIndex: deps.lexicalIndex,
    options: deps.recall,
    logger,
    recencyHalfLifeDays: deps.recencyHalfLifeDays ?? 0,
  });

  return {
    ...createFactVersions({ repository, factIndex }),
    ...createConversations({ repository, pageTokens }),

    /**
     * Embeds the facts, then stores them and their vectors in one step: the vectors are
     * written inside the rows' transaction, so either both are kept or neither is, and no
     * ForgetUser or DeleteFacts can run in between. Duplicates are indexed again (idempotent),
     * which repairs an entry lost elsewhere.
     */
    async addFacts(input: AddFactsInput, ctx: CallContext) {
      const facts = validateAddFacts(input);
      const vectors = factIndex
        ? await factIndex.embed(
            facts.map((fact) => fact.content),
            ctx,
          )
        : [];
      const result = await repository.addFacts(
        input.userId,
        facts,
        ctx,
        factIndex &&
          (async (stored) => {
            await factIndex.remove(input.userId, stored.expiredIds ?? [], ctx);
            await factIndex.put(input.userId, factEntries(stored.facts, vectors), ctx);
          }),
      );
      const created = result.createdFlags.filter(Boolean).length;
      return { facts: result.facts, created, duplicates: result.facts.length - created };
    },

    /** A page of the user's facts that `view` selects (valid now by default), newest first. */
    async listFacts(input: PageInput & FactView, ctx: CallContext): Promise<{ facts: Fact[]; nextPageToken: string }> {
      // A page token continues only the listing it came from: same user, same view.
      const kind = input.includeHistory ? 'facts+history' : input.asOf ? `facts@${input.asOf.toISOString()}` : 'facts';
      const { limit, after } = decodeTimePage(pageTokens, kind, input);
      const rows = await repository.listFacts(input.userId, limit + 1, after, ctx, viewOf(input));
      const { page, next } = splitPage(rows, limit);
      const nextPageToken = next ? pageTokens.encode(kind, input.userId, [next.createdAt.toISOString(), next.id]) : '';
      return { facts: page, nextPageToken };
    },

    /** The user's facts most relevant to the query, best first; never another user's (fact-recall.ts). */
    recallFacts,

    /**
     * Deletes the user's facts among `ids`; others' ids are ignored. Their index entries go in
     * the same transaction: if the index cannot be reached nothing is deleted (UNAVAILABLE).
     */
    async deleteFacts(input: { userId: string; ids: string[] }, ctx: CallContext) {
      validateDeleteFacts(input);
      const deleted = await repository.deleteFacts(
        input.userId,
        input.ids,
        ctx,
        factIndex && (async (ids) => void (await factIndex.remove(input.userId, ids, ctx))),
      );
      return { deletedCount: deleted.length };
    },

    /** The user's counters; NOT_FOUND for a user never seen. */
    async getUserStats(input: { userId: string }, ctx: CallContext): Promise<UserStats> {
      validateUserId(input.userId);
      const stats = await repository.getUserStats(input.userId, ctx);
      if (!stats) throw new NotFoundError(`user ${input.userId} not found`);
      return stats;
    },

    /**
     * Deletes everything of the user. The fact index is emptied inside the rows' transaction,
     * under the lock every fact write takes, so once this returns no write that raced it can
     * leave a vector behind; if the database step then fails, a retry finishes the job.
     */
    async forgetUser(input: { userId: string }, ctx: CallContext): Promise<ForgetUserCounts & { factVectors: number }> {
      validateUserId(input.userId);
      let factVectors = 0;
      const counts = await repository.forgetUser(
        input.userId,
        ctx,
        factIndex &&
          (async () => {
            factVectors = await factIndex.removeUser(input.userId, ctx);
          }),
      );
      return { ...counts, factVectors };
    },
  };
}

/** The MemoryService domain API. */
export type MemoryService = ReturnType<typeof createMemoryService>;

/** One index entry per stored fact (a duplicate input maps to its fact), with its input's vector. */
function factEntries(stored: Fact[], vectors: number[][]): FactEntry[] {
  const entries = new Map<string, FactEntry>();
  stored.forEach((fact, i) => {
    if (entries.has(fact.id)) return;
    entries.set(fact.id, { id: fact.id, content: fact.content, vector: defined(vectors[i], 'a vector per fact') });
  });
  return [...entries.values()];
}

/** The repository's view of a request: now, as of a time, or every version. */
function viewOf(input: FactView): FactView {
  return { asOf: input.asOf, includeHistory: input.includeHistory ?? false };
}
