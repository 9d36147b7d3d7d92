import { status } from '@grpc/grpc-js';
import { UnauthenticatedError } from '../../../../src/domain/errors';
import { toGrpcStatus } from '../../../../src/grpc/error-status';
import { authMiddleware } from '../../../../src/grpc/middleware/auth';
import { fakeCall } from './fake-call';

describe('authentication middleware', () => {
  const attempt = (tokens: string[], authorization?: string) => {
    const next = jest.fn(async () => 'served');
    const call = fakeCall({ metadata: authorization === undefined ? {} : { authorization } });
    return { next, result: authMiddleware(tokens)(call, {}, next) };
  };

  it('lets every call through when no tokens are configured', async () => {
    await expect(attempt([]).result).resolves.toBe('served');
  });

  it.each([
    ['one of the tokens', 'Bearer s3cret'],
    ['the second token', 'Bearer other-token'],
    ['a lower-case scheme', 'bearer s3cret'],
  ])('serves a call presenting %s', async (_label, header) => {
    await expect(attempt(['s3cret', 'other-token'], header).result).resolves.toBe('served');
  });

  it.each([
    ['no authorization header', undefined],
    ['a wrong token', 'Bearer nope'],
    ['a token that is a prefix of a real one', 'Bearer s3c'],
    ['the token without the Bearer scheme', 's3cret'],
    ['an empty bearer token', 'Bearer '],
  ])('refuses a call with %s, before the handler runs', async (_label, header) => {
    const { next, result } = attempt(['s3cret'], header);
    await expect(result).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(next).not.toHaveBeenCalled();
  });

  it('fails with an error the one mapper turns into UNAUTHENTICATED, naming no token', async () => {
    const error = await attempt(['s3cret'], 'Bearer nope').result.catch((e: unknown) => e);
    const mapped = toGrpcStatus(error);
    expect(mapped.error).toMatchObject({ code: status.UNAUTHENTICATED, details: 'missing or invalid bearer token' });
    expect(mapped.logCause).toBe(false);
    expect(JSON.stringify(mapped.error)).not.toContain('s3cret');
  });
});
