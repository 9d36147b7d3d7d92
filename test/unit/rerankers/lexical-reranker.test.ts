import { createLexicalReranker } from '../../../src/adapters/rerankers/lexical-reranker';
import { lexicalTokens, stem } from '../../../src/adapters/rerankers/lexical-tokens';
import { backgroundContext } from '../../../src/domain/context';

const reranker = createLexicalReranker();
const ctx = backgroundContext();

describe('lexical (BM25) reranker', () => {
  it('ranks texts containing the query terms above those that do not', async () => {
    const texts = [
      'Our office is closed on public holidays.',
      'Invoices can be downloaded as PDF from the billing page.',
      'The weather in Berlin is mild in spring.',
      'Download an invoice: open Billing, then Invoices.',
    ];
    const scores = await reranker.rerank('download invoice billing', texts, ctx);
    expect(scores).toHaveLength(4);
    expect(Math.min(scores[1]!, scores[3]!)).toBeGreaterThan(Math.max(scores[0]!, scores[2]!));
    expect(scores[0]).toBe(0);
    expect(scores[2]).toBe(0);
  });

  it('gives scores in [0, 1], more for more of the query, and the same scores every time', async () => {
    const texts = ['reset password', 'reset', 'password reset email link expired', 'unrelated text'];
    const scores = await reranker.rerank('reset password email', texts, ctx);
    for (const s of scores) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(scores[2]).toBeGreaterThan(scores[0]!);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(await reranker.rerank('reset password email', texts, ctx)).toEqual(scores);
  });

  it('matches inflections, case and accents', async () => {
    const scores = await reranker.rerank('Policies for CAFÉS', ['policy on cafe opening', 'nothing here'], ctx);
    expect(scores[0]).toBeGreaterThan(0.3);
    expect(scores[1]).toBe(0);
    const invoicing = await reranker.rerank('invoicing', ['two invoices were sent', 'an invoice', 'a receipt'], ctx);
    expect(invoicing[0]).toBeGreaterThan(0);
    expect(invoicing[1]).toBeGreaterThan(0);
    expect(invoicing[2]).toBe(0);
  });

  it('stems as the Snowball English (Porter2) reference does, as Milvus and the eval anchor do', () => {
    // Computed once with the Snowball reference implementation (PyStemmer 3.1.0, "english").
    const reference: Record<string, string> = {
      invoices: 'invoic',
      invoiced: 'invoic',
      invoicing: 'invoic',
      policies: 'polici',
      running: 'run',
      generalizations: 'general',
      caresses: 'caress',
      status: 'status',
      news: 'news',
      bus: 'bus',
      cafes: 'cafe',
      connection: 'connect',
      connected: 'connect',
      relational: 'relat',
      conditional: 'condit',
      hopeful: 'hope',
      goodness: 'good',
      agreed: 'agre',
      feed: 'feed',
      dying: 'die',
      lying: 'lie',
      skies: 'sky',
      boundaries: 'boundari',
      turbulence: 'turbul',
      aerodynamics: 'aerodynam',
      flowed: 'flow',
    };
    for (const [word, expected] of Object.entries(reference)) expect([word, stem(word)]).toEqual([word, expected]);
    expect(lexicalTokens('The Boundary-Layer flows, and the BOUNDARIES')).toEqual([
      'boundari',
      'layer',
      'flow',
      'boundari',
    ]);
  });

  it('copes with stop-word-only queries and empty input', async () => {
    const scores = await reranker.rerank('what is it', ['what is it', 'something else'], ctx);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(await reranker.rerank('anything', [], ctx)).toEqual([]);
    expect(await reranker.rerank('', ['a text'], ctx)).toEqual([0]);
  });
});
