/**
 * Tokens for lexical matching: lowercase, accents removed, runs of letters and digits,
 * English stop words dropped, plurals folded by a light "S-stemmer" (Harman, 1991) so that
 * "invoices" matches "invoice" without the surprises of an aggressive stemmer.
 */

const TOKEN = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
    'me my no not of on or our so than that the their them then there these they this to was we were what when ' +
    'where which who whom why will with would you your'
  ).split(' '),
);

/** The text's tokens in order. Stop words are kept when the text has nothing else. */
export function lexicalTokens(text: string): string[] {
  const words = Array.from(text.normalize('NFKD').replace(MARKS, '').toLowerCase().matchAll(TOKEN), (m) => m[0]);
  const content = words.filter((w) => !STOP_WORDS.has(w));
  return (content.length > 0 ? content : words).map(stem);
}

/** Harman's S-stemmer: "policies" → "policy", "classes" → "classe", "invoices" → "invoice", "bus" stays. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && !word.endsWith('eies') && !word.endsWith('aies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('es') && !word.endsWith('aes') && !word.endsWith('ees') && !word.endsWith('oes')) {
    return word.slice(0, -1);
  }
  if (word.endsWith('s') && !word.endsWith('us') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
