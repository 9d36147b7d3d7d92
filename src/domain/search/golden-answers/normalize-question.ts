/**
 * The canonical form of a question for exact golden-answer matching: Unicode NFKC,
 * lower-cased, whitespace collapsed to single spaces, trimmed, and trailing `?`, `!` and `.`
 * (with any whitespace between them) removed. "  What is   RAG?! " → "what is rag".
 */
export function normalizeQuestion(question: string): string {
  return question
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/[\s?!.]+$/u, '');
}
