/**
 * What a bearer token may do. Three scopes, none implying another, so a token carries only
 * the powers its caller needs:
 * - `read`: searches and reads of memory (a caller with it can read every user's memories);
 * - `write`: adds documents, facts and messages, and deletes facts by id;
 * - `admin`: what removes or overrides data for everyone: ForgetUser, DeleteDocuments and the
 *   curated golden answers.
 */
export const SCOPES = ['read', 'write', 'admin'] as const;

/** One of {@link SCOPES}. */
export type Scope = (typeof SCOPES)[number];

/** A configured bearer token and the scopes it carries. */
export interface TokenGrant {
  readonly token: string;
  readonly scopes: readonly Scope[];
}

/**
 * A bearer token's characters (RFC 6750 `b64token`): letters, digits, `-._~+/`, then `=`
 * padding. `:` is not among them, so `TOKEN:SCOPES` splits one way only.
 */
const BEARER_TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Separates a token from its scopes in a configuration entry. */
const SCOPES_SEPARATOR = ':';

/** Joins scopes in a configuration entry (`read+write`). */
const SCOPE_JOINER = '+';

/**
 * Parses one configuration entry: `TOKEN` (every scope: set-ups from before scopes keep full
 * access) or `TOKEN:SCOPE+SCOPE...`. A problem never quotes the entry: it may be a secret.
 */
export function parseTokenEntry(entry: string): TokenGrant | { problem: string } {
  const at = entry.indexOf(SCOPES_SEPARATOR);
  const token = at < 0 ? entry : entry.slice(0, at);
  if (!BEARER_TOKEN_PATTERN.test(token)) {
    return { problem: 'is not a bearer token (letters, digits and -._~+/ with = padding at the end)' };
  }
  if (at < 0) return { token, scopes: SCOPES };
  const names = entry.slice(at + 1).split(SCOPE_JOINER);
  const scopes = SCOPES.filter((scope) => names.includes(scope));
  if (names.some((name) => !(SCOPES as readonly string[]).includes(name))) {
    return { problem: `names a scope other than ${SCOPES.join(', ')} (write TOKEN:read+write)` };
  }
  return { token, scopes };
}

/**
 * Parses the configured tokens: `listed` entries (AUTH_TOKENS, split at commas), then the
 * file's text (AUTH_TOKENS_FILE: entries one per line or comma, `#` starts a comment line),
 * into one grant per distinct token. Or the first problem, saying where (entry or line number)
 * and whether it is in the file: a malformed entry, or a token given other scopes earlier.
 */
export function parseTokenConfig(
  listed: readonly string[],
  fileText = '',
): TokenGrant[] | { inFile: boolean; problem: string } {
  const entries = [
    ...listed.map((text, i) => ({ text, inFile: false, where: `entry ${i + 1}` })),
    ...fileText
      .split('\n')
      .flatMap((line, i) =>
        line.trim().startsWith('#')
          ? []
          : line.split(',').map((text) => ({ text: text.trim(), inFile: true, where: `line ${i + 1}` })),
      ),
  ].filter((e) => e.text.length > 0);
  const byToken = new Map<string, TokenGrant>();
  for (const { text, inFile, where } of entries) {
    const grant = parseTokenEntry(text);
    if ('problem' in grant) return { inFile, problem: `${where} ${grant.problem}` };
    const earlier = byToken.get(grant.token);
    if (earlier && earlier.scopes.join() !== grant.scopes.join()) {
      return { inFile, problem: `${where} repeats an earlier token with other scopes` };
    }
    byToken.set(grant.token, grant);
  }
  return [...byToken.values()];
}

/** True when `grant` carries `scope`. */
export function grants(grant: TokenGrant, scope: Scope): boolean {
  return grant.scopes.includes(scope);
}
