import type { CallContext } from '../../../../src/domain/context';
import { deadlineMiddleware } from '../../../../src/grpc/middleware/deadline';
import { fakeCall } from './fake-call';

describe('deadline middleware', () => {
  const aborted = (signal: AbortSignal) =>
    new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
    );

  it("hands the handler the caller's deadline as epoch milliseconds", async () => {
    const deadline = new Date(Date.now() + 60_000);
    const seen = await deadlineMiddleware()(fakeCall({ deadline }), {}, async (ctx: CallContext) => ctx);
    expect(seen.deadline).toBe(deadline.getTime());
    expect(seen.signal.aborted).toBe(false);
  });

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['zero', 0],
  ])('treats a deadline of %s as none', async (_label, deadline) => {
    const seen = await deadlineMiddleware()(fakeCall({ deadline }), {}, async (ctx: CallContext) => ctx);
    expect(seen.deadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('aborts the signal when the deadline passes', async () => {
    const call = fakeCall({ deadline: new Date(Date.now() - 1) });
    const outcome = await deadlineMiddleware()(call, {}, async (ctx: CallContext) => {
      await aborted(ctx.signal);
      return 'saw the abort';
    });
    expect(outcome).toBe('saw the abort');
  });

  it('aborts the signal when the caller cancels', async () => {
    const call = fakeCall({ deadline: new Date(Date.now() + 60_000) });
    const outcome = deadlineMiddleware()(call, {}, async (ctx: CallContext) => {
      await aborted(ctx.signal);
      return 'saw the cancel';
    });
    call.cancel();
    await expect(outcome).resolves.toBe('saw the cancel');
  });

  it('keeps the fields of the context it was given', async () => {
    const seen = await deadlineMiddleware()(fakeCall(), { requestId: 'r1' }, async (ctx) => ctx);
    expect(seen.requestId).toBe('r1');
  });

  it('stops listening for cancellation once the call has ended, whether it succeeded or failed', async () => {
    const call = fakeCall({ deadline: new Date(Date.now() + 60_000) });
    let during = 0;
    await deadlineMiddleware()(call, {}, async () => {
      during = call.listenerCount();
    });
    expect(during).toBe(1);
    expect(call.listenerCount()).toBe(0);
    await expect(
      deadlineMiddleware()(call, {}, async () => {
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(call.listenerCount()).toBe(0);
  });
});
