import { type ServiceError, status } from '@grpc/grpc-js';
import { NewFact } from '../../src/gen/recall/v1/memory';
import type { Reporter } from '../report/progress';
import type { RecallClients } from '../server/clients';
import { forEachConcurrent } from './concurrency';
import type { Corpus } from './corpus';
import { type MemoryOptions, generateUser } from './memory-workload';

/** What seeding wrote, and how long it took. */
export interface SeedSummary {
  documents: number;
  goldenAnswers: number;
  /** Ids of the golden answers created (to delete them from a database the run does not own). */
  goldenAnswerIds: string[];
  users: number;
  facts: number;
  conversations: number;
  messages: number;
  seconds: number;
}

const DOCUMENT_BATCH = 250;
const FACT_BATCH = 100;
const WRITE_TIMEOUT_MS = 300_000;

/**
 * Writes the corpus and the memory workload through recall's own RPCs (UpsertDocuments,
 * UpsertGoldenAnswer, AddFacts, AppendMessages), never into the stores directly.
 */
export async function seed(
  clients: RecallClients,
  corpus: Corpus,
  memory: MemoryOptions,
  reporter: Reporter,
): Promise<SeedSummary> {
  const started = Date.now();
  const documents = corpus.collections.reduce((n, c) => n + c.documents.length, 0);
  let done = 0;
  const docBar = reporter.progress('documents', documents, 'docs');
  // One writer per collection at a time (Milvus Lite must not see concurrent writes to one collection).
  await forEachConcurrent(corpus.collections, 2, async (collection) => {
    for (let i = 0; i < collection.documents.length; i += DOCUMENT_BATCH) {
      const batch = collection.documents.slice(i, i + DOCUMENT_BATCH);
      const response = await clients.search.upsertDocuments(
        {
          collection: collection.name,
          documents: batch.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata, vector: [] })),
        },
        { timeoutMs: WRITE_TIMEOUT_MS },
      );
      if (response.upsertedCount !== batch.length) {
        throw new Error(`UpsertDocuments stored ${response.upsertedCount} of ${batch.length} documents`);
      }
      done += batch.length;
      docBar.update(done);
    }
  });
  docBar.stop();

  const goldenAnswerIds: string[] = [];
  for (const golden of corpus.goldenAnswers) {
    try {
      const response = await clients.search.upsertGoldenAnswer({ id: '', ...golden }, { timeoutMs: WRITE_TIMEOUT_MS });
      if (response.goldenAnswer) goldenAnswerIds.push(response.goldenAnswer.id);
    } catch (error) {
      // Left by an earlier run against the same database (--target): the answer is there.
      if ((error as ServiceError).code !== status.ALREADY_EXISTS) throw error;
    }
  }

  const users = Array.from({ length: memory.users }, (_, i) => i);
  const totals = { facts: 0, conversations: 0, messages: 0 };
  const perUser = memory.factsPerUser + memory.conversationsPerUser;
  const memoryBar = reporter.progress('memory', memory.users * perUser, 'items');
  let items = 0;
  await forEachConcurrent(users, 4, async (index) => {
    const user = generateUser(memory, index);
    for (let i = 0; i < user.facts.length; i += FACT_BATCH) {
      const facts = user.facts.slice(i, i + FACT_BATCH).map((f) => NewFact.fromPartial(f));
      await clients.memory.addFacts({ userId: user.id, facts }, { timeoutMs: WRITE_TIMEOUT_MS });
      totals.facts += facts.length;
      items += facts.length;
      memoryBar.update(items);
    }
    for (const conversation of user.conversations) {
      await clients.memory.appendMessages(
        { userId: user.id, conversationId: '', title: conversation.title, messages: conversation.messages },
        { timeoutMs: WRITE_TIMEOUT_MS },
      );
      totals.conversations++;
      totals.messages += conversation.messages.length;
      memoryBar.update(++items);
    }
  });
  memoryBar.stop();

  return {
    documents,
    goldenAnswers: corpus.goldenAnswers.length,
    goldenAnswerIds,
    users: memory.users,
    ...totals,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
