import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../errors';

/**
 * Opaque, tamper-evident keyset page tokens. A token names what it pages (kind and owner),
 * where the previous page ended, and when it was issued; it is signed so a forged or edited
 * token is refused, and it expires so a client cannot hold a cursor forever. The key is an
 * integrity check, not an access control: a cursor only positions within the owner's rows.
 */
export interface PageTokenCodec {
  encode(kind: string, owner: string, position: string[]): string;
  /** The position, or InvalidArgumentError naming `field` when the token is not valid here. */
  decode(field: string, token: string, kind: string, owner: string): string[];
}

const DEFAULT_KEY = 'recall.page-token.v1';
const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

/** Creates a codec; `key` lets several replicas agree, `ttlMs` bounds a token's life. */
export function createPageTokenCodec(
  options: { key?: string; ttlMs?: number; now?: () => number } = {},
): PageTokenCodec {
  const key = options.key ?? DEFAULT_KEY;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const now = options.now ?? Date.now;
  const sign = (body: string) => createHmac('sha256', key).update(body).digest().subarray(0, 16);

  return {
    encode(kind, owner, position) {
      const body = Buffer.from(JSON.stringify({ k: kind, o: owner, p: position, t: now() })).toString('base64url');
      return `${body}.${sign(body).toString('base64url')}`;
    },
    decode(field, token, kind, owner) {
      const invalid = (why: string) => InvalidArgumentError.of(field, why);
      const [body, mac, extra] = token.split('.');
      if (!body || !mac || extra !== undefined) throw invalid('is not a valid page token');
      const given = Buffer.from(mac, 'base64url');
      const expected = sign(body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw invalid('is not a valid page token');
      }
      let parsed: { k?: unknown; o?: unknown; p?: unknown; t?: unknown };
      try {
        parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw invalid('is not a valid page token');
      }
      if (parsed.k !== kind || parsed.o !== owner) throw invalid('belongs to a different listing');
      if (typeof parsed.t !== 'number' || now() - parsed.t > ttlMs)
        throw invalid('has expired; start from the first page');
      if (!Array.isArray(parsed.p) || !parsed.p.every((x) => typeof x === 'string')) {
        throw invalid('is not a valid page token');
      }
      return parsed.p as string[];
    },
  };
}
