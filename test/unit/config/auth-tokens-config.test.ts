import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../src/config';

/** AUTH_TOKENS and AUTH_TOKENS_FILE: tokens, their scopes, and start-up refusals that never quote a token. */
describe('bearer tokens and their scopes in the configuration', () => {
  let dir: string;
  const tokensFile = (text: string) => {
    const file = path.join(dir, 'tokens');
    writeFileSync(file, text);
    return file;
  };
  const grantsOf = (env: Record<string, string>) =>
    Object.fromEntries(loadConfig(env).security.authTokens.map((g) => [g.token, [...g.scopes]]));
  const refusal = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('loadConfig accepted the configuration');
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'recall-tokens-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns auth off with no tokens', () => {
    expect(loadConfig({}).security.authTokens).toEqual([]);
  });

  it('gives tokens without scopes full access, as before scopes existed (AUTH_TOKENS=a,b and the file)', () => {
    expect(grantsOf({ AUTH_TOKENS: 'a,b' })).toEqual({
      a: ['read', 'write', 'admin'],
      b: ['read', 'write', 'admin'],
    });
    const file = tokensFile('# one token per line\nold-token\n\nsecond,third\n');
    expect(Object.keys(grantsOf({ AUTH_TOKENS_FILE: file }))).toEqual(['old-token', 'second', 'third']);
    expect(grantsOf({ AUTH_TOKENS_FILE: file })['old-token']).toEqual(['read', 'write', 'admin']);
  });

  it('reads scopes after a colon, joined by +, from both places', () => {
    const file = tokensFile('# the ingest job\ningest-job:write\nops:read+write+admin\n');
    expect(grantsOf({ AUTH_TOKENS: 'assistant:read+write, auditor:read', AUTH_TOKENS_FILE: file })).toEqual({
      assistant: ['read', 'write'],
      auditor: ['read'],
      'ingest-job': ['write'],
      ops: ['read', 'write', 'admin'],
    });
  });

  it('accepts every character a bearer token may hold, including + / = of base64', () => {
    const token = 'aZ09-._~+/token==';
    expect(grantsOf({ AUTH_TOKENS: `${token}:admin` })).toEqual({ [token]: ['admin'] });
  });

  it('accepts the same token twice with the same scopes', () => {
    expect(grantsOf({ AUTH_TOKENS: 'a:read,a:read' })).toEqual({ a: ['read'] });
  });

  it.each([
    ['an unknown scope', { AUTH_TOKENS: 's3cret-token:raed' }, 'AUTH_TOKENS', 'entry 1'],
    ['an empty scope list', { AUTH_TOKENS: 'ok,s3cret-token:' }, 'AUTH_TOKENS', 'entry 2'],
    ['a dangling +', { AUTH_TOKENS: 's3cret-token:read+' }, 'AUTH_TOKENS', 'entry 1'],
    ['a token with a space', { AUTH_TOKENS: 's3cret token' }, 'AUTH_TOKENS', 'entry 1'],
    ['a second colon (a token may not hold one)', { AUTH_TOKENS: 's3cret:token:read' }, 'AUTH_TOKENS', 'entry 1'],
    [
      'one token with two sets of scopes',
      { AUTH_TOKENS: 's3cret-token:read,s3cret-token:admin' },
      'AUTH_TOKENS',
      'entry 2',
    ],
  ])('refuses %s at start-up, naming the variable and entry, never the token', (_label, env, variable, where) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: ${where} `));
    expect(error.message).not.toMatch(/s3cret|token:|raed/);
  });

  it('refuses a bad line of AUTH_TOKENS_FILE naming the file variable and line', () => {
    const file = tokensFile('# comment\ngood:read\ns3cret-token:superuser\n');
    const error = refusal({ AUTH_TOKENS_FILE: file });
    expect(error.message).toMatch(/^AUTH_TOKENS_FILE: line 3 names a scope other than read, write, admin/);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('superuser');
  });

  it('refuses a token given other scopes in the file than in AUTH_TOKENS', () => {
    const file = tokensFile('shared:admin\n');
    expect(refusal({ AUTH_TOKENS: 'shared:read', AUTH_TOKENS_FILE: file }).message).toBe(
      'AUTH_TOKENS_FILE: line 1 repeats an earlier token with other scopes',
    );
  });
});
