import { timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { UnauthenticatedError } from '../../domain/errors';
import type { Middleware } from './middleware';

/**
 * Lets a call through only with `authorization: Bearer <token>` naming one of `tokens`
 * (compared in constant time); otherwise it ends with UnauthenticatedError. With no tokens
 * configured, every call passes.
 */
export function authMiddleware(tokens: readonly string[]): Middleware {
  const known = tokens.map((t) => Buffer.from(t));
  return (call, context, next) => {
    if (!authorised(known, call.metadata)) return Promise.reject(new UnauthenticatedError());
    return next(context);
  };
}

function authorised(known: readonly Buffer[], metadata: Metadata): boolean {
  if (known.length === 0) return true;
  const header = metadata.get('authorization')[0];
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1]);
  // timingSafeEqual needs equal lengths; a length mismatch reveals only the length.
  return known.some((t) => t.length === given.length && timingSafeEqual(t, given));
}
