/**
 * The URL of `path` (e.g. `/v1/embeddings`) on a service configured by `baseUrl`. The base
 * may end in a slash, already carry the `/v1` prefix of `path`, or be the full endpoint:
 * `http://h:8080`, `http://h:8080/`, `http://h:8080/v1` and `http://h:8080/v1/embeddings`
 * all give `http://h:8080/v1/embeddings`. Throws on a URL that is not http(s).
 */
export function resolveEndpoint(baseUrl: string, path: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error(`invalid service URL: ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`service URL must be http(s): ${JSON.stringify(baseUrl)}`);
  }
  const base = baseUrl.replace(/\/+$/, '');
  if (base.endsWith(path)) return base;
  const prefix = path.match(/^\/v\d+(?=\/)/)?.[0];
  if (prefix && base.endsWith(prefix)) return base + path.slice(prefix.length);
  return base + path;
}
