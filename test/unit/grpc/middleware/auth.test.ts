import { status } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '../../../../src/domain/errors';
import { SCOPES, type Scope, type TokenGrant } from '../../../../src/domain/token-scopes';
import { toGrpcStatus } from '../../../../src/grpc/error-status';
import { authMiddleware } from '../../../../src/grpc/middleware/auth';
import { RPC_SCOPES } from '../../../../src/grpc/middleware/auth-scopes';
import type { RpcMethod } from '../../../../src/grpc/middleware/middleware';
import { createMetrics } from '../../../../src/observability/metrics';
import { fakeCall } from './fake-call';

const FULL: TokenGrant = { token: 's3cret', scopes: SCOPES };
const OTHER: TokenGrant = { token: 'other-token', scopes: SCOPES };

function methodOf(key: string): RpcMethod {
  const [service = '', name = ''] = key.split('/');
  return { path: `/${key}`, service, name };
}

describe('authentication and scope middleware', () => {
  let metrics: ReturnType<typeof createMetrics>;
  beforeEach(() => {
    metrics = createMetrics('t_', { processMetrics: false });
  });

  const attempt = (tokens: TokenGrant[], authorization?: string, method?: RpcMethod) => {
    const next = jest.fn(async () => 'served');
    const call = fakeCall({
      metadata: authorization === undefined ? {} : { authorization },
      ...(method && { method }),
    });
    return { next, result: authMiddleware(tokens, metrics)(call, {}, next) };
  };
  const denials = async () => {
    const values = (await metrics.authDenied.get()).values;
    return Object.fromEntries(values.map((v) => [v.labels.reason, v.value]));
  };

  it('lets every call through when no tokens are configured, and exports the denial counter at zero', async () => {
    await expect(attempt([], undefined, methodOf('recall.v1.MemoryService/ForgetUser')).result).resolves.toBe('served');
    expect(await denials()).toEqual({ missing_token: 0, unknown_token: 0, missing_scope: 0 });
  });

  it.each([
    ['one of the tokens', 'Bearer s3cret'],
    ['the second token', 'Bearer other-token'],
    ['a lower-case scheme', 'bearer s3cret'],
  ])('serves a call presenting %s', async (_label, header) => {
    await expect(attempt([FULL, OTHER], header).result).resolves.toBe('served');
  });

  it.each([
    ['no authorization header', undefined, 'missing_token'],
    ['the token without the Bearer scheme', 's3cret', 'missing_token'],
    ['an empty bearer token', 'Bearer ', 'missing_token'],
    ['a wrong token', 'Bearer nope', 'unknown_token'],
    ['a token that is a prefix of a real one', 'Bearer s3c', 'unknown_token'],
    ['a real token with a scope suffix', 'Bearer s3cret:read', 'unknown_token'],
  ])('refuses a call with %s as UNAUTHENTICATED before the handler runs, counted', async (_label, header, reason) => {
    const { next, result } = attempt([FULL], header);
    await expect(result).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(next).not.toHaveBeenCalled();
    expect((await denials())[reason]).toBe(1);
  });

  // Every RPC against a token of each single scope: served exactly when the scope is the RPC's.
  const matrix = Object.entries(RPC_SCOPES).flatMap(([rpc, needed]) =>
    SCOPES.map((held) => [rpc, needed, held] as [string, Scope, Scope]),
  );
  it.each(matrix)('%s (needs %s) with a %s token', async (rpc, needed, held) => {
    const { next, result } = attempt([{ token: 'tok', scopes: [held] }], 'Bearer tok', methodOf(rpc));
    if (held === needed) {
      await expect(result).resolves.toBe('served');
      expect(await denials()).toMatchObject({ missing_scope: 0 });
      return;
    }
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(toGrpcStatus(error).error).toMatchObject({
      code: status.PERMISSION_DENIED,
      details: `this call needs the "${needed}" scope; the token lacks it`,
    });
    expect(next).not.toHaveBeenCalled();
    expect(await denials()).toMatchObject({ missing_scope: 1, unknown_token: 0 });
  });

  it('serves every RPC for a token given all scopes, or none (full access)', async () => {
    for (const rpc of Object.keys(RPC_SCOPES)) {
      await expect(attempt([FULL], 'Bearer s3cret', methodOf(rpc)).result).resolves.toBe('served');
      const all: TokenGrant = { token: 'all', scopes: ['admin', 'write', 'read'] };
      await expect(attempt([all], 'Bearer all', methodOf(rpc)).result).resolves.toBe('served');
    }
  });

  it('refuses a method with no scope in the table, whatever the token', async () => {
    const { result } = attempt([FULL], 'Bearer s3cret', methodOf('recall.v1.SearchService/Unlisted'));
    await expect(result).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it('maps refusals to statuses naming no token, and never logs their cause', async () => {
    for (const [header, tokens] of [
      ['Bearer nope-s3cret', [FULL]],
      ['Bearer s3cret', [{ token: 's3cret', scopes: ['read'] }]],
    ] as const) {
      const error = await attempt([...tokens], header, methodOf('recall.v1.MemoryService/ForgetUser')).result.catch(
        (e: unknown) => e,
      );
      const mapped = toGrpcStatus(error);
      expect(mapped.logCause).toBe(false);
      expect(JSON.stringify(mapped.error)).not.toContain('s3cret');
      expect(String(error)).not.toContain('s3cret');
    }
  });
});
