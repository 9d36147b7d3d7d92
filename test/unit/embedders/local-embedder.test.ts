import { createLocalEmbedder, embedText } from '../../../src/adapters/embedders/local-embedder';
import { backgroundContext } from '../../../src/domain/context';
import { DeadlineExceededError } from '../../../src/domain/errors';

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const vec = (text: string) => embedText(text, 384);

const DOCS = [
  'To reset your password, open Settings, choose Security and click the Reset password button. A confirmation email is sent within five minutes.',
  'The quarterly revenue report shows a twelve percent increase in subscription income, driven mainly by enterprise customers in Europe.',
  'Our office in Berlin is closed on public holidays; support requests submitted during that time are answered on the next working day.',
  'How do I change the shipping address for an order that has already been placed?',
];
const ONE_WORD_CHANGED = [
  'To reset your password, open Settings, choose Security and press the Reset password button. A confirmation email is sent within five minutes.',
  'The quarterly revenue report shows a fifteen percent increase in subscription income, driven mainly by enterprise customers in Europe.',
  'Our office in Munich is closed on public holidays; support requests submitted during that time are answered on the next working day.',
  'How do I change the delivery address for an order that has already been placed?',
];
const VAGUE_PARAPHRASES = [
  'I forgot my login credentials, how can I get new ones?',
  'Sales from recurring plans grew this quarter, mostly thanks to large European businesses.',
  'Is the Berlin team available during holidays?',
  'Can I update where my package gets delivered after ordering?',
];

describe('local hashing embedder', () => {
  it('gives the same unit vector for the same text, every time', async () => {
    const embedder = createLocalEmbedder();
    const [a, b] = await embedder.embed([DOCS[0]!, DOCS[0]!], backgroundContext());
    expect(a).toEqual(b);
    expect(a).toHaveLength(384);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 10);
    expect(createLocalEmbedder({ dimension: 64 }).dimension).toBe(64);
    expect(embedText('hello world', 64)).toHaveLength(64);
  });

  it('scores texts sharing words above unrelated texts', () => {
    const query = vec('reset my password');
    expect(cosine(query, vec(DOCS[0]!))).toBeGreaterThan(cosine(query, vec(DOCS[1]!)));
    expect(cosine(query, vec(DOCS[0]!))).toBeGreaterThan(cosine(query, vec(DOCS[2]!)));
  });

  it('puts near-duplicates above 0.9 and vague paraphrases well below it (the early-exit threshold)', () => {
    DOCS.forEach((doc, i) => {
      const d = vec(doc);
      expect(cosine(d, vec(ONE_WORD_CHANGED[i]!))).toBeGreaterThan(0.9);
      expect(cosine(d, vec(doc.toUpperCase().replace(/[,.;?]/g, '')))).toBeGreaterThan(0.999);
      expect(cosine(d, vec(VAGUE_PARAPHRASES[i]!))).toBeLessThan(0.5);
      for (const other of DOCS.filter((o) => o !== doc)) expect(cosine(d, vec(other))).toBeLessThan(0.3);
    });
  });

  it('ignores accents and punctuation', () => {
    expect(cosine(vec('Café crème, déjà vu!'), vec('cafe creme deja vu'))).toBeCloseTo(1, 10);
  });

  it('never counts two different texts without words as a perfect match (regression: all shared one vector)', () => {
    const wordless = ['?', '!!!', '!!', '🔥', '🎉', '🔥🔥', '?! …', '-- // --'];
    const close: string[] = [];
    for (const text of wordless) {
      const v = vec(text);
      expect(Math.hypot(...v)).toBeCloseTo(1, 10);
      expect(v.every(Number.isFinite)).toBe(true);
      expect(vec(` ${text}  `)).toEqual(v);
      for (const other of wordless.filter((o) => o !== text)) {
        if (cosine(v, vec(other)) >= 0.5) close.push(`${text} ~ ${other}`);
      }
      // Far from any text with words, too.
      expect(Math.abs(cosine(v, vec('hello world')))).toBeLessThan(0.5);
    }
    expect(close).toEqual([]);
    // Texts with words keep their vectors whatever punctuation or emoji they carry.
    expect(vec('hello 🔥 world?')).toEqual(vec('hello world'));
    expect(Math.hypot(...vec(''))).toBeCloseTo(1, 10);
  });

  it('embeds large batches in order and stops at the deadline', async () => {
    const embedder = createLocalEmbedder({ dimension: 32 });
    const texts = Array.from({ length: 2_000 }, (_, i) => `document number ${i}`);
    const vectors = await embedder.embed(texts, backgroundContext());
    expect(vectors[1_234]).toEqual(embedText(texts[1_234]!, 32));
    const expired = { deadline: Date.now() - 1, signal: new AbortController().signal };
    await expect(embedder.embed(texts, expired)).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});
