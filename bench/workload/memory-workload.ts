import { type Random, createRandom } from './prng';
import { SHARED_TERMS, TOPICS } from './vocabulary';

/** How many users, and how much memory each one has. */
export interface MemoryOptions {
  seed: number;
  users: number;
  factsPerUser: number;
  conversationsPerUser: number;
  messagesPerConversation: number;
}

/** A fact as sent to AddFacts. */
export interface BenchFact {
  content: string;
  source: string;
  confidence: number;
  metadata: { topic: string };
}

/** A conversation as sent to AppendMessages (one call creates it with all its messages). */
export interface BenchConversation {
  title: string;
  messages: { role: 'user' | 'assistant'; content: string }[];
}

/** One user of the memory workload. */
export interface BenchUser {
  id: string;
  facts: BenchFact[];
  conversations: BenchConversation[];
}

const FACT_VERBS = ['prefers', 'works on', 'asked about', 'is responsible for', 'dislikes', 'often mentions'];

/** Every bench user's id starts with this. */
export const USER_PREFIX = 'bench-user-';

/** The id of user number `index`. */
export function userId(index: number): string {
  return `${USER_PREFIX}${String(index).padStart(4, '0')}`;
}

/** Generates one user's facts and conversations; same seed and index → same user. */
export function generateUser(options: MemoryOptions, index: number): BenchUser {
  const random = createRandom(options.seed).fork(`user:${index}`);
  const facts = Array.from({ length: options.factsPerUser }, (_, i) => fact(random, i));
  const conversations = Array.from({ length: options.conversationsPerUser }, (_, i) =>
    conversation(random, i, options.messagesPerConversation),
  );
  return { id: userId(index), facts, conversations };
}

function fact(random: Random, index: number): BenchFact {
  const topic = random.pick(TOPICS);
  const terms = random.sample(topic.terms, random.int(2, 4)).join(' ');
  // The number keeps each fact distinct after normalisation (AddFacts stores duplicates once).
  return {
    content: `The user ${random.pick(FACT_VERBS)} ${terms} (${random.pick(SHARED_TERMS)} ${index + 1})`,
    source: `chat:${random.int(1, 100_000)}`,
    confidence: Math.round((0.5 + random.next() * 0.5) * 100) / 100,
    metadata: { topic: topic.name },
  };
}

function conversation(random: Random, index: number, messages: number): BenchConversation {
  const topic = random.pick(TOPICS);
  return {
    title: `${topic.name} question ${index + 1}`,
    messages: Array.from({ length: messages }, (_, i) => ({
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `${i % 2 === 0 ? 'Can you help with' : 'Here is what I found about'} ${random
        .sample(topic.terms, random.int(3, 6))
        .join(' ')}.`,
    })),
  };
}
