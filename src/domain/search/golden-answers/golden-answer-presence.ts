import type { CallContext } from '../../context';
import type { GoldenAnswerRepository } from '../../ports';

/**
 * Remembers whether any golden answer exists, so that a deployment without golden answers
 * pays neither the exact lookup (a database statement) nor the semantic one (a vector search)
 * on every query. Writes through this process update it at once; a golden answer written
 * through another replica is seen within `ttlMs`. When the check itself fails the lookups
 * run anyway: they are best effort on their own.
 */
export interface GoldenAnswerPresence {
  /** False only when the repository recently said there are none. */
  maybePresent(ctx: CallContext): Promise<boolean>;
  /** A golden answer was just written. */
  markPresent(): void;
  /** A golden answer was just deleted: ask the repository next time. */
  invalidate(): void;
}

/** Creates the presence cache over `repository`. */
export function createGoldenAnswerPresence(
  repository: Pick<GoldenAnswerRepository, 'any'>,
  ttlMs: number,
  now: () => number = Date.now,
): GoldenAnswerPresence {
  let known: { present: boolean; at: number } | undefined;
  let pending: Promise<boolean> | undefined;

  const refresh = (ctx: CallContext): Promise<boolean> => {
    pending ??= repository
      .any(ctx)
      .then(
        (present) => {
          known = { present, at: now() };
          return present;
        },
        () => true,
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return {
    async maybePresent(ctx) {
      if (known && now() - known.at < ttlMs) return known.present;
      return refresh(ctx);
    },
    markPresent() {
      known = { present: true, at: now() };
    },
    invalidate() {
      known = undefined;
    },
  };
}
