import type { CallContext } from '../context';
import { NotFoundError } from '../errors';
import type { ForgetUserCounts, LexicalFactIndex, MemoryRepository, UserStats } from '../ports';
import type { FactIndex } from './fact-index';
import { validateUserId } from './memory-validation';

/**
 * A user as a whole: GetUserStats and ForgetUser. Part of the MemoryService
 * (createMemoryService spreads them in).
 */
export function createUsers(deps: {
  repository: MemoryRepository;
  factIndex?: FactIndex | undefined;
  lexicalIndex?: LexicalFactIndex | undefined;
}) {
  const { repository, factIndex, lexicalIndex } = deps;
  return {
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
     * leave a vector behind; if the database step then fails, a retry finishes the job. What
     * this process keeps of the user's lexical index goes too, whatever the outcome.
     */
    async forgetUser(input: { userId: string }, ctx: CallContext): Promise<ForgetUserCounts & { factVectors: number }> {
      validateUserId(input.userId);
      let factVectors = 0;
      try {
        const counts = await repository.forgetUser(
          input.userId,
          ctx,
          factIndex &&
            (async () => {
              factVectors = await factIndex.removeUser(input.userId, ctx);
            }),
        );
        return { ...counts, factVectors };
      } finally {
        lexicalIndex?.forgetUser?.(input.userId);
      }
    },
  };
}
