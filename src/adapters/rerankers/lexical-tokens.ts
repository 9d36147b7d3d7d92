/**
 * Tokens for lexical matching: lowercase, accents removed, runs of letters and digits,
 * English stop words dropped, each word reduced to its Snowball English (Porter2) stem, so
 * that "invoices", "invoiced" and "invoicing" all match "invoice". Porter2 is the stemmer of
 * Milvus's `english` analyzer and of the usual BM25 baselines, so the embedded store, a
 * Milvus collection and the eval's anchor agree on what a word is.
 */
import { stem as porter2 } from 'porter2';

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

/** The Porter2 stem of a lowercase word: "invoices" → "invoic", "running" → "run", "status" stays. */
export function stem(word: string): string {
  return porter2(word);
}
