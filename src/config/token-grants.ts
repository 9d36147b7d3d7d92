import { readFileSync } from 'node:fs';
import { type TokenGrant, parseTokenConfig } from '../domain/token-scopes';
import { ConfigError } from './env-reader';

/** The tokens and their scopes; a bad entry fails naming its variable and place, never its text. */
export function tokenGrants(listed: string[], file: string | undefined): TokenGrant[] {
  let text = '';
  try {
    if (file) text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('AUTH_TOKENS_FILE', `cannot read the file (${(error as NodeJS.ErrnoException).code})`);
  }
  const parsed = parseTokenConfig(listed, text);
  if ('problem' in parsed) throw new ConfigError(parsed.inFile ? 'AUTH_TOKENS_FILE' : 'AUTH_TOKENS', parsed.problem);
  return parsed;
}
