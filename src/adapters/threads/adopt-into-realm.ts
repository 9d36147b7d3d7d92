/**
 * postMessage builds what it delivers in Node's main realm. Code running in another realm
 * (jest runs each test file in its own vm context) would see Dates that fail `instanceof
 * Date` and arrays of a foreign Array, so such values are copied into this realm. In a plain
 * process both realms are one and the value is returned as it is, without a walk.
 */
export function adoptIntoRealm(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Object) return value;
  return copy(value);
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return Array.from(value, copy);
  const kind = Object.prototype.toString.call(value);
  if (kind === '[object Date]') return new Date((value as Date).getTime());
  if (kind === '[object Uint8Array]') return new Uint8Array(value as Uint8Array);
  if (kind === '[object Float32Array]') return new Float32Array(value as Float32Array);
  if (kind !== '[object Object]') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)]));
}
