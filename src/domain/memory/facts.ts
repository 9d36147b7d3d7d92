import type { CallContext } from '../context';
import { defined } from '../errors';
import type { Fact, FactView, MemoryRepository, Metadata } from '../ports';
import type { FactEntry, FactIndex } from './fact-index';
import { type FactInput, validateAddFacts, validateDeleteFacts } from './memory-validation';
import type { PageTokenCodec } from './page-token';
import { type PageInput, decodeTimePage, splitPage } from './pages';

/** AddFacts' input: the user and the facts to store, each with its metadata. */
export interface AddFactsInput {
  userId: string;
  facts: Array<FactInput & { metadata: Metadata }>;
}

/**
 * Facts as a set: AddFacts, ListFacts and DeleteFacts, keeping the fact index in step with the
 * rows. Part of the MemoryService (createMemoryService spreads them in).
 */
export function createFacts(deps: {
  repository: MemoryRepository;
  pageTokens: PageTokenCodec;
  factIndex?: FactIndex | undefined;
}) {
  const { repository, pageTokens, factIndex } = deps;
  return {
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
  };
}

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
