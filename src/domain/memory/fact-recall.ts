import type { CallContext } from '../context';
import type { Fact, MemoryRepository } from '../ports';
import type { FactIndex } from './fact-index';
import { validateRecallFacts } from './memory-validation';

export type ScoredFact = Fact & { score: number };

/** Logs what the service cannot report to the caller (best-effort clean-ups). */
export interface MemoryLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info?(details: Record<string, unknown>, message: string): void;
}

/** What RecallFacts needs: the repository (source of truth) and the fact index. */
export interface FactRecallDeps {
  repository: MemoryRepository;
  factIndex?: FactIndex | undefined;
  logger?: MemoryLogger | undefined;
}

/** RecallFacts as the caller sent it. */
export interface RecallFactsInput {
  userId: string;
  query: string;
  limit: number;
}

/**
 * Creates RecallFacts: the user's facts most relevant to the query, best first; never another
 * user's. Index entries whose fact is gone are dropped and collected.
 */
export function createFactRecall(deps: FactRecallDeps) {
  const { repository, factIndex, logger } = deps;

  /**
   * Removes index entries whose fact has no row (left by a process that died between the
   * vector write and the commit). Decided under the user's fact lock, so an entry whose
   * AddFacts is still committing is kept. Best effort: recall already ignores such entries.
   */
  async function collectOrphans(userId: string, ids: string[], ctx: CallContext): Promise<void> {
    if (!factIndex) return;
    try {
      const removed = await repository.withMissingFacts(userId, ids, ctx, async (missing) => {
        await factIndex.remove(userId, missing, ctx);
      });
      if (removed.length > 0) logger?.info?.({ userId, count: removed.length }, 'removed fact vectors without a fact');
    } catch (error) {
      logger?.warn({ err: error, userId }, 'collecting fact vectors without a fact failed');
    }
  }

  return async function recallFacts(input: RecallFactsInput, ctx: CallContext): Promise<{ facts: ScoredFact[] }> {
    const limit = validateRecallFacts(input);
    if (!factIndex) return { facts: [] };
    const matches = await factIndex.recall(input.userId, input.query, limit, ctx);
    if (matches.length === 0) return { facts: [] };
    // The database is the source of truth: an index entry whose fact is gone is dropped.
    const stored = new Map(
      (
        await repository.getFacts(
          input.userId,
          matches.map((m) => m.factId),
          ctx,
        )
      ).map((f) => [f.id, f]),
    );
    const facts: ScoredFact[] = [];
    const orphans: string[] = [];
    for (const match of matches) {
      const fact = stored.get(match.factId);
      if (fact) facts.push({ ...fact, score: match.score });
      else orphans.push(match.factId);
    }
    if (orphans.length > 0) await collectOrphans(input.userId, orphans, ctx);
    return { facts };
  };
}
