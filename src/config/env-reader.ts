import { readFileSync } from 'node:fs';

/** Thrown at boot when an environment variable has a bad value; names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** The environment as loadConfig reads it. */
export type Env = Record<string, string | undefined>;

/** The typed reads of one environment; see {@link reader}. */
export type EnvReader = ReturnType<typeof reader>;

/**
 * Typed reads of environment variables: each returns the fallback when the variable is unset
 * or blank, and throws ConfigError naming the variable when its value is bad.
 */
export function reader(env: Env) {
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  return {
    optional: raw,
    ...textReads(env, raw),
    ...numberReads(raw),
    ...choiceReads(raw),
    ...locationReads(raw),
  };
}

/** A variable's trimmed value, undefined when unset or blank. */
type Raw = (name: string) => string | undefined;

/** Strings, taken as they come or split into a list. */
function textReads(env: Env, raw: Raw) {
  return {
    string: (name: string, fallback: string): string => raw(name) ?? fallback,
    /** Not trimmed: an instruction prefix such as "query: " ends in a space. */
    verbatim: (name: string): string => env[name] ?? '',
    pattern(name: string, re: RegExp, fallback: string): string {
      const value = env[name];
      if (value === undefined) return fallback;
      if (!re.test(value)) throw new ConfigError(name, `must match ${re}, got "${value}"`);
      return value;
    },
    list(name: string, fallback: string[] = []): string[] {
      const value = raw(name);
      if (value === undefined) return fallback;
      return value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    },
  };
}

/** Numbers within bounds. */
function numberReads(raw: Raw) {
  return {
    int(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
      const n = Number(value);
      if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
      return n;
    },
    number(name: string, fallback: number, min: number, max: number): number {
      const value = raw(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ConfigError(name, `must be a number, got "${value}"`);
      if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
      return n;
    },
  };
}

/** One of a fixed set of values. */
function choiceReads(raw: Raw) {
  return {
    bool(name: string, fallback: boolean): boolean {
      const value = raw(name)?.toLowerCase();
      if (value === undefined) return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off'].includes(value)) return false;
      throw new ConfigError(name, `must be true or false, got "${value}"`);
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = raw(name);
      if (value === undefined) return fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
      }
      return value as T;
    },
  };
}

/** Where something is: a URL of an allowed scheme, a readable file. */
function locationReads(raw: Raw) {
  return {
    url(name: string, protocols: string[]): string | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        // The value may carry a password: never echo it.
        throw new ConfigError(name, 'is not a valid URL');
      }
      if (!protocols.includes(parsed.protocol)) {
        throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
      return value;
    },
    file(name: string): string | undefined {
      const value = raw(name);
      if (value === undefined) return undefined;
      try {
        readFileSync(value);
      } catch (error) {
        throw new ConfigError(name, `cannot read "${value}" (${(error as NodeJS.ErrnoException).code})`);
      }
      return value;
    },
  };
}

/** Freezes the object and everything in it, so a parsed config cannot drift at run time. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
