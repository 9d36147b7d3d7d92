import type { CallContext } from '../../domain/context';
import type { Middleware, RpcCall } from './middleware';

/**
 * Hands the domain its CallContext: the caller's deadline (epoch ms, Infinity for none) and
 * a signal that aborts when the deadline passes or the caller cancels. Timers and listeners
 * are released when the call ends.
 */
export function deadlineMiddleware(): Middleware<object, CallContext> {
  return async (call, context, next) => {
    const { callContext, release } = abortOnDeadlineOrCancel(call);
    try {
      return await next({ ...context, ...callContext });
    } finally {
      release();
    }
  };
}

/**
 * Turns the grpc-js call's deadline and cancellation into the domain's CallContext (the
 * domain's raceContext / contextWithTimeout then bound work by it).
 */
function abortOnDeadlineOrCancel(call: RpcCall): { callContext: CallContext; release(): void } {
  const controller = new AbortController();
  const stopListening = call.onCancelled(() => controller.abort());
  const deadline = toEpochMs(call.getDeadline());
  // setTimeout cannot wait longer than 2^31-1 ms; such a deadline is as good as none.
  const timer =
    Number.isFinite(deadline) && deadline - Date.now() < 2 ** 31 - 1
      ? setTimeout(
          () => controller.abort(new DOMException('deadline exceeded', 'TimeoutError')),
          Math.max(0, deadline - Date.now()),
        )
      : undefined;
  timer?.unref();
  return {
    callContext: { deadline, signal: controller.signal },
    release() {
      clearTimeout(timer);
      stopListening();
    },
  };
}

function toEpochMs(deadline: Date | number): number {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) && ms > 0 ? ms : Number.POSITIVE_INFINITY;
}
