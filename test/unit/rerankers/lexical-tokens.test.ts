import { Bm25Index } from '../../../src/adapters/embedded-vectors/bm25-index';
import { bm25Scores } from '../../../src/adapters/rerankers/lexical-reranker';
import { lexicalTokens } from '../../../src/adapters/rerankers/lexical-tokens';

const NFC = 'café'.normalize('NFC');
const NFD = 'café'.normalize('NFD');

describe('lexical tokens', () => {
  it('makes canonically equivalent spellings one token (NFC and NFD), and width variants too', () => {
    expect(NFC).not.toEqual(NFD);
    expect(lexicalTokens(`${NFD} crème`)).toEqual(lexicalTokens(`${NFC} crème`.normalize('NFD')));
    expect(lexicalTokens(NFD)).toEqual(['cafe']);
    expect(lexicalTokens('ＡＢＣ１２３ ｶﾀｶﾅ')).toEqual(lexicalTokens('ABC123 カタカナ'));
    // Kana keep their voicing marks: が (ga) is not か (ka); Indic and Thai vowel signs are letters.
    expect(lexicalTokens('が')).not.toEqual(lexicalTokens('か'));
    expect(lexicalTokens('किताब कताब')).toEqual(['किताब', 'कताब']);
    expect(lexicalTokens('Ελλάδα')).toEqual(['ελλαδα']);
  });

  it('splits Han, Kana and Hangul runs into overlapping bigrams, as Lucene’s CJK analyzer does', () => {
    expect(lexicalTokens('我喜欢机器学习')).toEqual(['我喜', '喜欢', '欢机', '机器', '器学', '学习']);
    expect(lexicalTokens('東京towerに行く')).toEqual(['東京', 'tower', 'に行', '行く']);
    expect(lexicalTokens('한국어 문장')).toEqual(['한국', '국어', '문장']);
    expect(lexicalTokens('テスト')).toEqual(['テス', 'スト']);
    expect(lexicalTokens('猫')).toEqual(['猫']);
  });

  it('keeps pictographic emoji as tokens of their own, without skin tones', () => {
    expect(lexicalTokens('sale 🔥🔥 today 👍🏽')).toEqual(['sale', '🔥', '🔥', 'today', '👍']);
    expect(lexicalTokens('?! … !!!')).toEqual([]);
  });

  it('finds CJK words inside sentences and emoji in the embedded BM25 index', () => {
    const index = new Bm25Index();
    index.put('zh', '我喜欢机器学习和自然语言处理');
    index.put('ja', 'カタカナのテストです');
    index.put('ko', '한국어 문장입니다');
    index.put('emoji', 'flash sale 🔥 today only');
    index.put('en', 'machine learning and language processing');
    const top = (query: string) => index.best(query, 5).map((h) => h.id);
    expect(top('机器学习')).toEqual(['zh']);
    expect(top('自然语言')).toEqual(['zh']);
    expect(top('テスト')).toEqual(['ja']);
    expect(top('문장')).toEqual(['ko']);
    expect(top('🔥')).toEqual(['emoji']);
  });

  it('weighs a term repeated in the query by its count in the built-in reranker (hand-computed)', () => {
    // N = 2, both texts one token long: each term's IDF is ln 2 and a present term's tf part is 1.
    // Weights: apple 2 ln 2, pear ln 2; best possible = (2 + 1) ln 2 · 2.2 = 6.6 ln 2.
    const [apple, pear] = bm25Scores('apple apple pear', ['apple', 'pear']);
    expect(apple).toBeCloseTo(2 / 6.6, 12);
    expect(pear).toBeCloseTo(1 / 6.6, 12);
  });
});
