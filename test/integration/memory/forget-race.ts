/**
 * ForgetUser racing AddFacts and DeleteFacts on real backends (issue: a fact's row and its
 * vector were written in two steps, and a ForgetUser landing between them left the vector —
 * with the fact's text — behind). After each round's writes stop, every vector of the user
 * must still have its row: the counts in the database and the vector store agree, and a last
 * ForgetUser removes exactly what is left.
 */
import { randomBytes } from 'node:crypto';
import { createLocalEmbedder } from '../../../src/adapters/embedders/local-embedder';
import { createSqlMemoryRepository } from '../../../src/adapters/sql/memory-repository';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { backgroundContext } from '../../../src/domain/context';
import { createFactIndex, createMemoryService, createPageTokenCodec } from '../../../src/domain/memory';
import type { VectorStore } from '../../../src/domain/ports';

export interface RaceBackends {
  sql: () => SqlClient;
  vectors: () => VectorStore;
  /** A fresh fact collection for the suite. */
  collection: string;
  /** Fewer writes per round, for a store whose writes are slow (the 2.3 standalone); 50 rounds all the same. */
  light?: boolean;
}

const ROUNDS = 50;
const ADD_LOOPS = 3;
const FORGETS = 6;

/** Registers the race test: 50 rounds, 0 vectors without a row allowed in any of them. */
export function forgetRaceContract(backends: RaceBackends): void {
  const addsPerLoop = backends.light ? 2 : 4;
  const forgets = backends.light ? 3 : FORGETS;
  test(`ForgetUser racing AddFacts and DeleteFacts leaves no vector without its row, ${ROUNDS} of ${ROUNDS} rounds`, async () => {
    const repository = createSqlMemoryRepository(backends.sql());
    const factIndex = createFactIndex({
      vectorStore: backends.vectors(),
      embedder: createLocalEmbedder({ dimension: 64 }),
      collection: backends.collection,
    });
    const memory = createMemoryService({ repository, factIndex, pageTokens: createPageTokenCodec() });
    const ctx = () => backgroundContext();
    const run = randomBytes(3).toString('hex');
    const strays: string[] = [];

    for (let round = 0; round < ROUNDS; round++) {
      const userId = `race-${run}-${round}`;
      const adders = Array.from({ length: ADD_LOOPS }, async (_, loop) => {
        for (let i = 0; i < addsPerLoop; i++) {
          const pin = 1000 + round * 100 + loop * 10 + i;
          const added = await memory.addFacts(
            { userId, facts: [{ content: `my card PIN is ${pin}`, source: 'race', confidence: 1, metadata: {} }] },
            ctx(),
          );
          // Every other add is deleted again at once, so deletes race the forgets too.
          if (i % 2 === 1) await memory.deleteFacts({ userId, ids: [added.facts[0]!.id] }, ctx());
        }
      });
      const forgetting = Array.from({ length: forgets }, async (_, k) => {
        await new Promise((resolve) => setTimeout(resolve, k * 2));
        await memory.forgetUser({ userId }, ctx());
      });
      await Promise.all([...adders, ...forgetting]);

      const rows = await repository.listFacts(userId, 1_000, undefined, ctx());
      const final = await memory.forgetUser({ userId }, ctx());
      // The last ForgetUser counts both sides exactly: a vector without its row shows here.
      if (final.factVectors !== rows.length || final.facts !== rows.length) {
        strays.push(`round ${round}: ${rows.length} rows, ${final.factVectors} vectors`);
      }
    }
    expect(strays).toEqual([]);
  });
}
