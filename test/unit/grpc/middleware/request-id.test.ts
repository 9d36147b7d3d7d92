import { requestIdMiddleware } from '../../../../src/grpc/middleware/request-id';
import { fakeCall } from './fake-call';

describe('request id middleware', () => {
  const run = (metadata: Record<string, string> = {}) => {
    const call = fakeCall({ metadata });
    const next = jest.fn(async (context: { requestId: string }) => context.requestId);
    return { call, result: requestIdMiddleware()(call, {}, next) };
  };

  it('echoes a well-formed x-request-id to the handler and in the response headers', async () => {
    const { call, result } = run({ 'x-request-id': 'req-123:a.b_c' });
    expect(await result).toBe('req-123:a.b_c');
    expect(call.sentHeaders).toHaveLength(1);
    expect(call.sentHeaders[0]?.get('x-request-id')).toEqual(['req-123:a.b_c']);
  });

  it('assigns a UUID when the caller sends none', async () => {
    const { call, result } = run();
    const id = await result;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(call.sentHeaders[0]?.get('x-request-id')).toEqual([id]);
  });

  it.each([
    ['spaces and quotes', 'a b"c'],
    ['an over-long id', 'x'.repeat(129)],
    ['a JSON-injection attempt', 'id",{"level":"error"}'],
  ])('replaces %s with a fresh UUID instead of echoing it', async (_label, given) => {
    const { call, result } = run({ 'x-request-id': given });
    const id = await result;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(call.sentHeaders[0]?.get('x-request-id')).toEqual([id]);
  });

  it('sends the id before the handler runs, so a failing call still carries it', async () => {
    const call = fakeCall({ metadata: { 'x-request-id': 'r1' } });
    const failing = requestIdMiddleware()(call, {}, async () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(call.sentHeaders[0]?.get('x-request-id')).toEqual(['r1']);
  });
});
