import type { CallContext } from '../../domain/context';
import { throwIfDone } from '../../domain/context';
import type { Embedder } from '../../domain/ports';
import { fmix32, hashRange } from './feature-hash';

/** Options of the built-in embedder. */
export interface LocalEmbedderOptions {
  /** Vector length (default 384, the size of the common small sentence-embedding models). */
  dimension?: number;
}

/** Name of the vector space: change it whenever the features or weights change. */
export const LOCAL_EMBEDDER_NAME = 'hashing-ngram-v1';

const WORD_SEED = 0x2545f491;
const TRIGRAM_SEED = 0x9e3779b9;
const SIGN_SALT = 0x5bd1e995;
const RAW_SEED = 0x27d4eb2f;
const EMPTY_FEATURE = fmix32(0x1badb002);
/** Words carry the meaning; character 3-grams (lighter, as a word has several) let inflections
 * and typos still overlap without letting common 3-grams ("ing", "the") dominate. */
const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.3;
/** Texts embedded between two yields to the event loop in a large batch. */
const YIELD_EVERY = 512;
const TOKEN = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/**
 * The built-in embedder: deterministic feature hashing of word unigrams and boundary-marked
 * character 3-grams into `dimension` signed buckets, sublinear TF (1 + ln tf), L2-normalised.
 * Case, accents and punctuation are ignored. No network, no model file; a vector space of
 * its own (not comparable with any neural model), good at "same words", blind to synonyms.
 * A text with no letters or digits ("?", "!!!", "🔥") is hashed from its raw characters instead
 * (see rawFeatures), so two such texts match only when they are the same text.
 */
export function createLocalEmbedder(options: LocalEmbedderOptions = {}): Embedder {
  const dimension = options.dimension ?? 384;
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 65_536) {
    throw new Error(`local embedder dimension must be an integer in [1, 65536], got ${dimension}`);
  }
  return {
    name: LOCAL_EMBEDDER_NAME,
    dimension,
    async embed(texts: string[], ctx: CallContext): Promise<number[][]> {
      throwIfDone(ctx);
      const vectors: number[][] = [];
      for (const [i, text] of texts.entries()) {
        if (i > 0 && i % YIELD_EVERY === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          throwIfDone(ctx);
        }
        vectors.push(embedText(text, dimension));
      }
      return vectors;
    },
  };
}

/** The vector of one text; exported for the model server and tests. */
export function embedText(text: string, dimension: number): number[] {
  const normalised = text.normalize('NFKD').replace(MARKS, '').toLowerCase();
  const words = new FeatureBag();
  const trigrams = new FeatureBag();
  for (const match of normalised.matchAll(TOKEN)) {
    const word = match[0];
    words.add(hashRange(word, 0, word.length, WORD_SEED));
    const padded = `<${word}>`;
    for (let i = 0; i + 3 <= padded.length; i++) trigrams.add(hashRange(padded, i, i + 3, TRIGRAM_SEED));
  }

  if (words.empty) rawFeatures(normalised, words, trigrams);

  const vector = new Float64Array(dimension);
  words.addTo(vector, WORD_WEIGHT);
  trigrams.addTo(vector, TRIGRAM_WEIGHT);
  let norm = 0;
  // biome-ignore lint/style/noNonNullAssertion: i < dimension === vector.length; for-of/forEach here measured ~20% slower per text
  for (let i = 0; i < dimension; i++) norm += vector[i]! * vector[i]!;
  // Only a blank text is left without features (recall refuses blank texts and queries).
  if (norm === 0) vector[EMPTY_FEATURE % dimension] = norm = 1;
  const scale = 1 / Math.sqrt(norm);
  const out = new Array<number>(dimension);
  // biome-ignore lint/style/noNonNullAssertion: i < dimension === vector.length (as above)
  for (let i = 0; i < dimension; i++) out[i] = vector[i]! * scale;
  return out;
}

/**
 * Features of a text without words: the whole text (whitespace collapsed) as one feature and
 * its boundary-marked 3-grams of code points. Texts without words used to share one vector,
 * so "?" matched "!!!" or "🎉" with cosine 1 and passed any early-exit threshold; now only the
 * same text scores 1 (as any text does against itself), and "!!" against "!!!" about 0.15.
 * Texts with words keep exactly their vectors: the space is unchanged where it has meaning.
 */
function rawFeatures(normalised: string, whole: FeatureBag, trigrams: FeatureBag): void {
  const raw = normalised.trim().replace(/\s+/gu, ' ');
  if (raw === '') return;
  whole.add(hashRange(raw, 0, raw.length, RAW_SEED));
  const points = ['<', ...raw, '>'];
  for (let i = 0; i + 3 <= points.length; i++) {
    // biome-ignore lint/style/noNonNullAssertion: i + 3 <= points.length (the loop condition)
    const gram = points[i]! + points[i + 1]! + points[i + 2]!;
    trigrams.add(hashRange(gram, 0, gram.length, RAW_SEED ^ TRIGRAM_SEED));
  }
}

/** A multiset of feature hashes; sorting a typed array beats a Map for the few dozen a text has. */
class FeatureBag {
  private hashes = new Uint32Array(64);
  private size = 0;

  get empty(): boolean {
    return this.size === 0;
  }

  add(hash: number): void {
    if (this.size === this.hashes.length) {
      const grown = new Uint32Array(this.size * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.size++] = hash;
  }

  /** Signed hashing with sublinear term frequency: each distinct feature adds ±weight·(1 + ln tf). */
  addTo(vector: Float64Array, weight: number): void {
    const sorted = this.hashes.subarray(0, this.size).sort();
    const dimension = vector.length;
    for (let i = 0; i < sorted.length; ) {
      // biome-ignore lint/style/noNonNullAssertion: i < sorted.length (the loop condition)
      const hash = sorted[i]!;
      let tf = 1;
      while (i + tf < sorted.length && sorted[i + tf] === hash) tf++;
      i += tf;
      const sign = fmix32(hash ^ SIGN_SALT) & 1 ? -1 : 1;
      // biome-ignore lint/style/noNonNullAssertion: hash % dimension < vector.length
      vector[hash % dimension]! += sign * weight * (1 + Math.log(tf));
    }
  }
}
