/**
 * The normalised form that decides whether two facts are the same: Unicode NFKC, lowercase,
 * runs of whitespace collapsed to one space, trimmed. Stored next to the content, so the
 * database enforces uniqueness on it.
 */
export function normalizeFactContent(content: string): string {
  return content.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}
