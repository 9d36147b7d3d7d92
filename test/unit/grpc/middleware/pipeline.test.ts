import type { Middleware } from '../../../../src/grpc/middleware/middleware';
import { pipeline } from '../../../../src/grpc/middleware/middleware';
import { fakeCall } from './fake-call';

describe('middleware pipeline', () => {
  const trace: string[] = [];
  const step =
    (name: string): Middleware<object, Record<string, boolean>> =>
    async (_call, context, next) => {
      trace.push(`${name} in`);
      try {
        return await next({ ...context, [name]: true });
      } finally {
        trace.push(`${name} out`);
      }
    };

  beforeEach(() => {
    trace.length = 0;
  });

  it('runs middleware outermost first, each wrapping the next, and hands the endpoint every context field', async () => {
    const response = await pipeline()
      .use(step('a'))
      .use(step('b'))
      .run(fakeCall({ request: { userId: 'u7' } }), async (request, context) => {
        trace.push('endpoint');
        return { request, context };
      });
    expect(trace).toEqual(['a in', 'b in', 'endpoint', 'b out', 'a out']);
    expect(response).toEqual({ request: { userId: 'u7' }, context: { a: true, b: true } });
  });

  it('lets an error from the endpoint travel out through every middleware', async () => {
    const failing = pipeline()
      .use(step('a'))
      .run(fakeCall(), async () => {
        throw new Error('handler failed');
      });
    await expect(failing).rejects.toThrow('handler failed');
    expect(trace).toEqual(['a in', 'a out']);
  });

  it('stops the chain when a middleware throws instead of calling next', async () => {
    const refuse: Middleware = async () => {
      throw new Error('refused');
    };
    const endpoint = jest.fn(async () => 'reached');
    await expect(pipeline().use(step('a')).use(refuse).use(step('b')).run(fakeCall(), endpoint)).rejects.toThrow(
      'refused',
    );
    expect(endpoint).not.toHaveBeenCalled();
    expect(trace).toEqual(['a in', 'a out']);
  });

  it('can run the same pipeline for many calls', async () => {
    const chain = pipeline().use(step('a'));
    const results = await Promise.all([1, 2, 3].map((n) => chain.run(fakeCall({ request: n }), async (r) => r * 2)));
    expect(results).toEqual([2, 4, 6]);
  });
});
