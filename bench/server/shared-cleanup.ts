import { forEachConcurrent } from '../workload/concurrency';
import type { Corpus } from '../workload/corpus';
import { userId } from '../workload/memory-workload';
import type { RecallClients } from './clients';

const DELETE_BATCH = 1000;

/**
 * Removes what the run wrote to a database or Milvus it does not own, through recall's own
 * RPCs: ForgetUser for every bench user, the golden answers it created, its documents.
 */
export async function removeBenchData(
  clients: RecallClients,
  corpus: Corpus,
  users: number,
  goldenAnswerIds: readonly string[],
): Promise<void> {
  const timeoutMs = 300_000;
  await forEachConcurrent(
    Array.from({ length: users }, (_, i) => userId(i)),
    4,
    async (id) => {
      await clients.memory.forgetUser({ userId: id }, { timeoutMs });
    },
  );
  for (const id of goldenAnswerIds) await clients.search.deleteGoldenAnswer({ id }, { timeoutMs });
  for (const collection of corpus.collections) {
    for (let i = 0; i < collection.documents.length; i += DELETE_BATCH) {
      const ids = collection.documents.slice(i, i + DELETE_BATCH).map((d) => d.id);
      await clients.search.deleteDocuments({ collection: collection.name, ids }, { timeoutMs });
    }
  }
}
