import type { CallContext } from '../context';
import { NotFoundError, defined } from '../errors';
import type { Fact, MemoryRepository } from '../ports';
import type { FactIndex } from './fact-index';
import { type FactInput, validateFactHistory, validateSupersedeFact } from './memory-validation';

/** SupersedeFact's input: the fact to close, its next version, and when one ends and the other begins. */
export interface SupersedeFactInput {
  userId: string;
  factId: string;
  fact: FactInput | undefined;
  /** Unset: the new version's valid_from if given, else now. */
  at: Date | undefined;
}

/**
 * Facts that change over time: SupersedeFact and GetFactHistory. Part of the MemoryService
 * (createMemoryService spreads them in).
 */
export function createFactVersions(deps: { repository: MemoryRepository; factIndex?: FactIndex | undefined }) {
  const { repository, factIndex } = deps;
  return {
    /**
     * Writes `fact` as the next version of the user's current fact `factId` and closes the
     * old one (valid_until = at, superseded_by = the new id), in one transaction under the
     * user's fact lock. The new version's vector is written inside that transaction, as
     * AddFacts does, so a ForgetUser never leaves it behind; the old version's vector stays
     * (as_of and include_history still recall it).
     */
    async supersedeFact(input: SupersedeFactInput, ctx: CallContext): Promise<{ previous: Fact; current: Fact }> {
      const fact = validateSupersedeFact(input);
      const [vector] = factIndex ? await factIndex.embed([fact.content], ctx) : [];
      const result = await repository.supersedeFact(
        input.userId,
        input.factId,
        fact,
        input.at ?? fact.validFrom,
        ctx,
        factIndex &&
          (async (written) => {
            await factIndex.remove(input.userId, written.expiredIds, ctx);
            await factIndex.put(
              input.userId,
              [
                {
                  id: written.current.id,
                  content: written.current.content,
                  vector: defined(vector, "the new version's vector"),
                },
              ],
              ctx,
            );
          }),
      );
      return { previous: result.previous, current: result.current };
    },

    /** Every version of the fact's lineage, oldest first (expired ones never); NOT_FOUND for an unknown fact. */
    async getFactHistory(input: { userId: string; factId: string }, ctx: CallContext): Promise<{ facts: Fact[] }> {
      validateFactHistory(input);
      const facts = await repository.factHistory(input.userId, input.factId, ctx);
      if (facts.length === 0) throw new NotFoundError(`fact ${input.factId} not found`);
      return { facts };
    },
  };
}
