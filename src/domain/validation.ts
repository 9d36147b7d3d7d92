import { type FieldViolation, InvalidArgumentError } from './errors';

/** Limits shared by the services; docs/limits.md documents them. */
export const LIMITS = {
  userIdMaxLength: 128,
  pageSizeDefault: 20,
  pageSizeMax: 100,
  queryMaxLength: 4096,
  metadataMaxBytes: 16 * 1024,
} as const;

const USER_ID = /^[A-Za-z0-9._:@-]+$/;

/** What a caller is told for text holding U+0000, which PostgreSQL's text type cannot store. */
export const NUL_PROBLEM = 'must not contain the NUL character (U+0000)';

/**
 * Whether a string, or any key or string inside metadata, holds U+0000. Checked before any
 * store, so PostgreSQL and PGlite (which reject it with their own error) are never asked.
 * Nesting past `maxDepth` is another rule's concern: the walk stops there.
 */
export function containsNul(value: unknown, maxDepth = 64): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || maxDepth <= 0) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, maxDepth - 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, maxDepth - 1));
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Records `problem` (a `<x>Problem` function's answer) against `field` when there is one. */
export function addIf(v: Violations, field: string, problem: string | undefined): void {
  if (problem) v.add(field, problem);
}

/**
 * Collects every field violation of one request, then throws them together, so a caller
 * learns about all its mistakes at once and nothing is written.
 */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, description: string): void {
    this.list.push({ field, description });
  }

  /** Throws InvalidArgumentError when any violation was recorded. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new InvalidArgumentError(this.list);
  }

  userId(field: string, value: string): void {
    if (value.length === 0) this.add(field, 'is required');
    else if (value.length > LIMITS.userIdMaxLength)
      this.add(field, `must be at most ${LIMITS.userIdMaxLength} characters`);
    else if (!USER_ID.test(value)) this.add(field, 'may contain only letters, digits and . _ : @ -');
  }

  uuid(field: string, value: string): void {
    if (value.length === 0) this.add(field, 'is required');
    else if (!UUID.test(value)) this.add(field, 'must be a UUID');
  }

  text(field: string, value: string, max: number, options: { required?: boolean } = {}): void {
    if ((options.required ?? true) && value.trim().length === 0) this.add(field, 'must not be blank');
    else if (value.length > max) this.add(field, `must be at most ${max} characters`);
    else if (containsNul(value)) this.add(field, NUL_PROBLEM);
  }

  count(field: string, length: number, min: number, max: number): void {
    if (length < min) this.add(field, min === 1 ? 'must not be empty' : `must have at least ${min} items`);
    else if (length > max) this.add(field, `must have at most ${max} items`);
  }

  /** Page size: 0 means the default; returns the effective size. */
  pageSize(field: string, value: number): number {
    if (value > LIMITS.pageSizeMax) this.add(field, `must be at most ${LIMITS.pageSizeMax}`);
    return value === 0 ? LIMITS.pageSizeDefault : Math.min(value, LIMITS.pageSizeMax);
  }

  /** A result limit: 0 means `fallback`; returns the effective limit. */
  limit(field: string, value: number, fallback: number, max: number): number {
    if (value > max) this.add(field, `must be at most ${max}`);
    return value === 0 ? fallback : Math.min(value, max);
  }

  metadata(field: string, value: Record<string, unknown>): void {
    if (Buffer.byteLength(JSON.stringify(value)) > LIMITS.metadataMaxBytes) {
      this.add(field, `must be at most ${LIMITS.metadataMaxBytes} bytes as JSON`);
    } else if (containsNul(value)) {
      this.add(field, `${NUL_PROBLEM} in a key or string`);
    }
  }
}

/** True when `value` is a UUID in canonical text form. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
