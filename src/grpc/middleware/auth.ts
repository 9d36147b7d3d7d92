import { timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from '../../domain/errors';
import { type TokenGrant, grants } from '../../domain/token-scopes';
import type { Metrics } from '../../observability/metrics';
import { requiredScope } from './auth-scopes';
import type { Middleware } from './middleware';

/** Why a call was refused: the `reason` label of `auth_denied_total`. */
export const DENIAL_REASONS = ['missing_token', 'unknown_token', 'missing_scope'] as const;

type DenialReason = (typeof DENIAL_REASONS)[number];

/**
 * Lets a call through only with `authorization: Bearer <token>` naming one of `tokens`
 * (compared in constant time) that carries the scope its method needs (RPC_SCOPES).
 * Otherwise the call ends with UnauthenticatedError (no or unknown token) or
 * PermissionDeniedError (naming the missing scope), counted in `auth_denied_total{reason}`.
 * The presented token never goes into an error, a metric or a log line. With no tokens
 * configured, every call passes.
 */
export function authMiddleware(tokens: readonly TokenGrant[], metrics: Metrics): Middleware {
  for (const reason of DENIAL_REASONS) metrics.authDenied.inc({ reason }, 0);
  const known = tokens.map((grant) => ({ grant, bytes: Buffer.from(grant.token) }));
  const deny = (reason: DenialReason, error: Error) => {
    metrics.authDenied.inc({ reason });
    return Promise.reject(error);
  };
  return (call, context, next) => {
    if (known.length === 0) return next(context);
    const presented = bearerToken(call.metadata);
    if (presented === undefined) return deny('missing_token', new UnauthenticatedError());
    const grant = find(known, presented);
    if (!grant) return deny('unknown_token', new UnauthenticatedError());
    const scope = requiredScope(call.method);
    if (!scope) return deny('missing_scope', new PermissionDeniedError('this call has no scope; no token may make it'));
    if (!grants(grant, scope)) {
      return deny(
        'missing_scope',
        new PermissionDeniedError(`this call needs the "${scope}" scope; the token lacks it`),
      );
    }
    return next(context);
  };
}

/** The token of an `authorization: Bearer <token>` header, as bytes; undefined when absent or malformed. */
function bearerToken(metadata: Metadata): Buffer | undefined {
  const header = metadata.get('authorization')[0];
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1] ? Buffer.from(match[1]) : undefined;
}

/** The grant whose token equals `given`; compares with every token, in constant time each. */
function find(known: ReadonlyArray<{ grant: TokenGrant; bytes: Buffer }>, given: Buffer): TokenGrant | undefined {
  let found: TokenGrant | undefined;
  for (const { grant, bytes } of known) {
    // timingSafeEqual needs equal lengths; a length mismatch reveals only the length.
    if (bytes.length === given.length && timingSafeEqual(bytes, given)) found = grant;
  }
  return found;
}
