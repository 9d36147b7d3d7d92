/**
 * The normalised form that decides whether two facts are the same: Unicode NFKC, lowercase,
 * runs of whitespace collapsed to one space, trimmed. Stored next to the content, so the
 * database enforces uniqueness on it.
 */
export function normalizeFactContent(content: string): string {
  return content.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID in its canonical text form (what the id columns hold). */
export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
