import type { Breaker } from './breaker';
import type { CallContext } from './context';
import { UnavailableError, isContextEnd } from './errors';
import type { Embedder, EmbeddingKind } from './ports';
import { raceContext } from './race-context';

/** An embedder whose calls go through one circuit breaker, and that breaker. */
export interface GuardedEmbedder extends Embedder {
  readonly breaker: Breaker;
}

interface Budget {
  parent: CallContext;
  ms: number;
}

/** Contexts made by {@link embeddingBudget}; weak, so a finished call leaves nothing behind. */
const budgets = new WeakMap<CallContext, Budget>();

/** A search's embedding budget: its context, and `release()` to call once the wait is over. */
export interface EmbeddingBudget {
  ctx: CallContext;
  release(): void;
}

/**
 * A child of `ctx` that ends after `ms` (or with `ctx`): the most a search waits for its query
 * embedding. When it ends before `ctx` does, the embedding failed on the embedder's account —
 * {@link embeddingBudgetError} says so, and a guarded embedder counts it against its breaker
 * (an ordinary end of the caller's deadline never counts). Its timer is cleared by `release()`,
 * so a search that got its vector in time leaves nothing pending (an AbortSignal.timeout would
 * be held until it fired, for every search).
 */
export function embeddingBudget(ctx: CallContext, ms: number): EmbeddingBudget {
  if (!Number.isFinite(ms) || ctx.deadline <= Date.now() + ms) return { ctx, release: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('embedding budget', 'TimeoutError')), ms);
  timer.unref();
  const child: CallContext = { deadline: Date.now() + ms, signal: AbortSignal.any([ctx.signal, controller.signal]) };
  budgets.set(child, { parent: ctx, ms });
  return { ctx: child, release: () => clearTimeout(timer) };
}

/** UnavailableError "embedder timed out after N ms" when `ctx` is a budget that ran out while its caller's context had not; else undefined. */
export function embeddingBudgetError(ctx: CallContext, error: unknown): UnavailableError | undefined {
  const budget = budgets.get(ctx);
  if (!budget || !isContextEnd(error)) return undefined;
  if (!ctx.signal.aborted && Date.now() < ctx.deadline) return undefined;
  if (budget.parent.signal.aborted || Date.now() >= budget.parent.deadline) return undefined;
  return new UnavailableError(`embedder timed out after ${budget.ms} ms`, { cause: error });
}

/**
 * Puts every call to `inner` behind `breaker` (named `embedder` in metrics), whatever the
 * provider: while it is open, an embedding fails at once with UnavailableError, so searches
 * go on without the dense side and RecallFacts answers UNAVAILABLE without waiting. Caller
 * errors (bad input, the caller's deadline) never move it (see Breaker); a search's embedding
 * budget running out does (see embeddingBudget), so a slow embedder opens it too. Compose it
 * inside the embedding cache, so cached queries are still answered while it is open.
 */
export function guardEmbedder(inner: Embedder, breaker: Breaker): GuardedEmbedder {
  return {
    name: inner.name,
    dimension: inner.dimension,
    ...(inner.variant === undefined ? {} : { variant: inner.variant }),
    breaker,
    embed: (texts: string[], ctx: CallContext, kind?: EmbeddingKind) =>
      texts.length === 0
        ? Promise.resolve([])
        : breaker.run(async () => {
            try {
              return await raceContext(inner.embed(texts, ctx, kind), ctx);
            } catch (error) {
              throw embeddingBudgetError(ctx, error) ?? error;
            }
          }),
  };
}
