/**
 * A connection string safe to log: the password (and any `password=` parameter) is replaced
 * by `***`. Strings that do not parse as URLs are redacted with a pattern instead.
 */
export function redactUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/^(password|sslpassword|pass)$/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return connectionString
      .replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@')
      .replace(/(password\s*=\s*)('[^']*'|\S+)/gi, '$1***');
  }
}
