import { HttpTransportError } from './http-errors';

/** Throws a "malformed response" failure (an outage of the service, not the caller's fault). */
export function malformed(service: string, what: string): never {
  throw new HttpTransportError('malformed', `${service} returned a malformed response: ${what}`);
}

/** `value` as a JSON object, or a malformed-response failure naming `where`. */
export function asObject(value: unknown, service: string, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    malformed(service, `${where} is not an object`);
  return value as Record<string, unknown>;
}

/** `value` as an array, or a malformed-response failure naming `where`. */
export function asArray(value: unknown, service: string, where: string): unknown[] {
  if (!Array.isArray(value)) malformed(service, `${where} is not an array`);
  return value;
}

/** `value` as an integer index in [0, length), or a malformed-response failure. */
export function asIndex(value: unknown, length: number, service: string, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) >= length) {
    malformed(service, `${where} is not an index in [0, ${length})`);
  }
  return value as number;
}

/** `value` as a finite number, or a malformed-response failure. */
export function asFiniteNumber(value: unknown, service: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) malformed(service, `${where} is not a finite number`);
  return value;
}
