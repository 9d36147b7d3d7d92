/**
 * Tokens for lexical matching (docs/lexical-analysis.md has the whole picture per store):
 * - the text is NFKC-normalised first, so canonically equivalent spellings ("café" typed
 *   as one code point or as "e" + a combining accent) and full-/half-width forms are one;
 * - runs of Han, Hiragana, Katakana and Hangul become overlapping character bigrams, as
 *   Lucene's CJK analyzer does ("机器学习" → 机器 器学 学习; a lone character stays a
 *   unigram), so a CJK word is found inside a sentence written without spaces;
 * - other runs of letters, digits and marks are lowercased with their accents removed (the
 *   vowel signs of Indic and Southeast Asian scripts are letters there and stay),
 *   English stop words dropped, each reduced to its Snowball English (Porter2) stem, so
 *   that "invoices", "invoiced" and "invoicing" all match "invoice" (Porter2 is the stemmer
 *   of Milvus's `english` analyzer and of the usual BM25 baselines);
 * - each pictographic emoji is a token of its own (skin tones and variation selectors
 *   dropped), as in Lucene's standard tokenizer: in chat text "🔥" or "🎉" carries meaning.
 */
import { stem as porter2 } from 'porter2';

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u30FC';
/** A run of letters, digits and combining marks, or one pictographic emoji. */
const RUN = /[\p{L}\p{N}\p{M}]+|\p{Extended_Pictographic}/gu;
const HAS_CJK = new RegExp(`[${CJK}]`, 'u');
/** Inside a run: a CJK stretch (group 1) or a stretch of anything else (group 2). */
const CJK_SPLIT = new RegExp(`([${CJK}]+)|([^${CJK}]+)`, 'gu');
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;
/** Scripts whose combining marks are letters' vowels, not optional accents: never folded. */
const VOWEL_SIGN_SCRIPTS =
  'Devanagari Bengali Gurmukhi Gujarati Oriya Tamil Telugu Kannada Malayalam Sinhala Thai Lao Tibetan Myanmar Khmer';
const KEEPS_MARKS = new RegExp(
  `[${VOWEL_SIGN_SCRIPTS.split(' ')
    .map((script) => `\\p{Script=${script}}`)
    .join('')}]`,
  'u',
);
const MARKS = /\p{M}+/gu;

const STOP_WORD_LIST = (
  'a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
  'me my no not of on or our so than that the their them then there these they this to was we were what when ' +
  'where which who whom why will with would you your'
).split(' ');
const STOP_WORDS = new Set(STOP_WORD_LIST);

/** The English stop words dropped from lexical text (also given to Milvus's analyzer). */
export const ENGLISH_STOP_WORDS: readonly string[] = STOP_WORD_LIST;

/** One analysed token, before stop words are dropped. */
interface Token {
  term: string;
  /** An English word that may be a stop word and is still to be stemmed. */
  word: boolean;
}

/** The text's tokens in order. Stop words are kept when the text has nothing else. */
export function lexicalTokens(text: string): string[] {
  const tokens: Token[] = [];
  for (const [run] of text.normalize('NFKC').matchAll(RUN)) {
    if (PICTOGRAPH.test(run)) tokens.push({ term: run, word: false });
    else if (!HAS_CJK.test(run)) pushWord(tokens, run);
    else {
      for (const [, cjk, other] of run.matchAll(CJK_SPLIT)) {
        if (cjk !== undefined) pushBigrams(tokens, cjk);
        else if (other !== undefined) pushWord(tokens, other);
      }
    }
  }
  const content = tokens.filter((t) => !(t.word && STOP_WORDS.has(t.term)));
  return (content.length > 0 ? content : tokens).map((t) => (t.word ? stem(t.term) : t.term));
}

/** Lowercase without accents (Indic and Southeast Asian vowel signs kept); marks alone are no word. */
function pushWord(tokens: Token[], run: string): void {
  const word = KEEPS_MARKS.test(run) ? run.toLowerCase() : run.normalize('NFKD').replace(MARKS, '').toLowerCase();
  if (word !== '') tokens.push({ term: word, word: true });
}

/** Overlapping bigrams of a CJK stretch, by code point; a single character is a unigram. */
function pushBigrams(tokens: Token[], stretch: string): void {
  const chars = Array.from(stretch);
  if (chars.length === 1) tokens.push({ term: stretch, word: false });
  chars.forEach((char, i) => {
    const next = chars[i + 1];
    if (next !== undefined) tokens.push({ term: char + next, word: false });
  });
}

/** How often each token occurs, in order of first occurrence. */
export function termCounts(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/** The Porter2 stem of a lowercase word: "invoices" → "invoic", "running" → "run", "status" stays. */
export function stem(word: string): string {
  return porter2(word);
}
