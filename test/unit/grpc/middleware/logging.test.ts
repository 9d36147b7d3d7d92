import { Writable } from 'node:stream';
import { NotFoundError, UnavailableError } from '../../../../src/domain/errors';
import { loggingMiddleware } from '../../../../src/grpc/middleware/logging';
import { createLogger } from '../../../../src/observability/logger';
import { fakeCall } from './fake-call';

describe('logging middleware', () => {
  let lines: Array<Record<string, unknown>>;
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  const run = (outcome: () => Promise<unknown>) =>
    loggingMiddleware(logger)(fakeCall(), { requestId: 'req-9' }, outcome).catch(() => undefined);

  beforeEach(() => {
    lines = [];
  });

  it('writes one info line per call with request id, method, status and duration', async () => {
    await run(async () => 'ok');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'recall',
      requestId: 'req-9',
      method: 'recall.v1.MemoryService/ListFacts',
      code: 'OK',
      msg: 'rpc',
    });
    expect(typeof lines[0]?.ms).toBe('number');
  });

  it("logs a caller's mistake with its status only, without an error line", async () => {
    await run(async () => Promise.reject(new NotFoundError('user u1 not found')));
    expect(lines).toEqual([expect.objectContaining({ level: 'info', code: 'NOT_FOUND', msg: 'rpc' })]);
  });

  it.each([
    ['an unexpected error', new Error('secret detail postgres://u:pw@h/db'), 'INTERNAL'],
    [
      'an unavailable backend',
      new UnavailableError('postgres is unavailable', { cause: new Error('ECONNREFUSED') }),
      'UNAVAILABLE',
    ],
  ])('logs the cause of %s as an error line before the rpc line', async (_label, error, code) => {
    await run(async () => Promise.reject(error));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'rpc failed', requestId: 'req-9' });
    expect(JSON.stringify(lines[0]?.err)).toContain(error.message);
    expect(lines[1]).toMatchObject({ level: 'info', code, msg: 'rpc' });
  });

  it('gives the handler a logger bound to the request id and method', async () => {
    await loggingMiddleware(logger)(fakeCall(), { requestId: 'req-9' }, async (ctx) => {
      ctx.log.warn({ collection: 'docs' }, 'slow collection');
      return ctx.requestId;
    });
    expect(lines[0]).toMatchObject({
      level: 'warn',
      requestId: 'req-9',
      method: 'recall.v1.MemoryService/ListFacts',
      collection: 'docs',
    });
  });

  it('passes the response and the error through untouched', async () => {
    const failure = new Error('x');
    await expect(loggingMiddleware(logger)(fakeCall(), { requestId: 'r' }, async () => 7)).resolves.toBe(7);
    await expect(
      loggingMiddleware(logger)(fakeCall(), { requestId: 'r' }, async () => Promise.reject(failure)),
    ).rejects.toBe(failure);
  });
});
