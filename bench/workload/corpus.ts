import { type Random, createRandom } from './prng';
import { GLUE, QUESTION_OPENERS, SHARED_TERMS, TOPICS, type Topic } from './vocabulary';

/** How big the generated corpus and query set are. */
export interface CorpusOptions {
  seed: number;
  collections: number;
  docsPerCollection: number;
  queries: number;
  /** Share of queries that repeat a document's text up to case and punctuation (they should exit early). */
  nearExactShare: number;
  goldenAnswers: number;
}

/** A document as sent to UpsertDocuments. */
export interface BenchDocument {
  id: string;
  text: string;
  metadata: { topic: string; year: number; lang: string };
}

/** A collection and its documents. */
export interface BenchCollection {
  name: string;
  documents: BenchDocument[];
}

/** `near_exact` queries equal a document's text after the embedder's normalisation; `vague` ones are a few topic words. */
export type QueryKind = 'near_exact' | 'vague';

/** One query of the query set. */
export interface BenchQuery {
  text: string;
  kind: QueryKind;
  /** The document a near-exact query copies. */
  sourceId?: string;
}

/** A curated answer seeded through UpsertGoldenAnswer, so the golden-answer lookups have data to look at. */
export interface BenchGoldenAnswer {
  question: string;
  answer: string;
  sources: string[];
}

/** The generated data set of one run. */
export interface Corpus {
  collections: BenchCollection[];
  queries: BenchQuery[];
  goldenAnswers: BenchGoldenAnswer[];
}

const COLLECTION_NAMES = ['handbook', 'faq', 'tickets', 'wiki', 'policies', 'runbooks', 'contracts', 'guides'];
const LANGS = ['en', 'en', 'en', 'de', 'fr'];

/** Every bench collection's name starts with this, so a shared Milvus can tell them apart. */
export const COLLECTION_PREFIX = 'bench_';

/** The names of the first `count` bench collections. */
export function collectionNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const base = COLLECTION_NAMES[i % COLLECTION_NAMES.length]!;
    const round = Math.floor(i / COLLECTION_NAMES.length);
    return `${COLLECTION_PREFIX}${base}${round === 0 ? '' : round + 1}`;
  });
}

/** Generates the corpus: same options, same seed → same bytes. */
export function generateCorpus(options: CorpusOptions): Corpus {
  const root = createRandom(options.seed);
  const collections = collectionNames(options.collections).map((name) => {
    const random = root.fork(`collection:${name}`);
    const documents = Array.from({ length: options.docsPerCollection }, (_, i) => document(random, name, i));
    return { name, documents };
  });
  const queries = generateQueries(root.fork('queries'), collections, options);
  const goldenAnswers = generateGoldenAnswers(root.fork('golden'), options.goldenAnswers);
  return { collections, queries, goldenAnswers };
}

function document(random: Random, collection: string, index: number): BenchDocument {
  const topic = random.pick(TOPICS);
  const text = `${sentence(random, topic, 8, 14)} ${sentence(random, topic, 6, 12)}`;
  return {
    id: `${collection}-${String(index).padStart(6, '0')}`,
    text,
    metadata: { topic: topic.name, year: random.int(2018, 2025), lang: random.pick(LANGS) },
  };
}

/** A sentence of mostly topic terms, some shared terms and glue words. */
export function sentence(random: Random, topic: Topic, minWords: number, maxWords: number): string {
  const count = random.int(minWords, maxWords);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random.next();
    out.push(random.pick(roll < 0.55 ? topic.terms : roll < 0.75 ? SHARED_TERMS : GLUE));
  }
  const text = out.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function generateQueries(random: Random, collections: BenchCollection[], options: CorpusOptions): BenchQuery[] {
  const queries: BenchQuery[] = [];
  for (let i = 0; i < options.queries; i++) {
    if (random.chance(options.nearExactShare)) {
      const source = random.pick(random.pick(collections).documents);
      queries.push({ text: perturb(random, source.text), kind: 'near_exact', sourceId: source.id });
    } else {
      queries.push({ text: vagueQuery(random), kind: 'vague' });
    }
  }
  return queries;
}

/** The same words, with case and punctuation changed the way people retype a sentence. */
function perturb(random: Random, text: string): string {
  switch (random.int(0, 3)) {
    case 0:
      return text;
    case 1:
      return text.toLowerCase();
    case 2:
      return `${text.replace(/[.]/g, '')}?`;
    default:
      return text.toUpperCase();
  }
}

function vagueQuery(random: Random): string {
  const topic = random.pick(TOPICS);
  const terms = random.sample(topic.terms, random.int(2, 4));
  if (random.chance(0.3)) terms.push(random.pick(SHARED_TERMS));
  const opener = random.pick(QUESTION_OPENERS);
  return `${opener ? `${opener} ` : ''}${terms.join(' ')}`;
}

function generateGoldenAnswers(random: Random, count: number): BenchGoldenAnswer[] {
  return Array.from({ length: count }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    const terms = random.sample(topic.terms, 3).join(' ');
    return {
      question: `What is the ${topic.name} rule ${i + 1} about ${terms}?`,
      answer: sentence(random, topic, 10, 16),
      sources: [`${topic.name}/rule-${i + 1}`],
    };
  });
}
