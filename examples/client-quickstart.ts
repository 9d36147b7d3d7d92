/**
 * The typed client end to end: index two documents, search them, remember a fact about a user
 * and recall it. Against a running recall (npm start):
 *
 *   npx tsx examples/client-quickstart.ts
 *   RECALL_ADDRESS=recall:50051 RECALL_TOKEN=... npx tsx examples/client-quickstart.ts
 *
 * An installed package imports the same API from `recall/client`.
 */
import { SearchRequest, createRecallClients, status } from '../src/client';

async function main(): Promise<void> {
  const recall = createRecallClients({
    address: process.env.RECALL_ADDRESS ?? '127.0.0.1:50051',
    ...(process.env.RECALL_TOKEN ? { token: process.env.RECALL_TOKEN } : {}),
    defaultDeadlineMs: 5_000,
  });
  try {
    await recall.search.upsertDocuments({
      collection: 'examples',
      documents: [
        {
          id: 'tea',
          text: 'Green tea is steeped at 80 degrees for two minutes.',
          metadata: { topic: 'tea' },
          vector: [],
        },
        {
          id: 'coffee',
          text: 'Espresso is brewed at nine bars of pressure.',
          metadata: { topic: 'coffee' },
          vector: [],
        },
      ],
    });
    const result = await recall.search.search(
      SearchRequest.fromPartial({ query: 'how hot should green tea be', collections: ['examples'], limit: 2 }),
    );
    for (const hit of result.hits) console.log(`hit ${hit.id} (${hit.score.toFixed(3)}): ${hit.text}`);

    await recall.memory.addFacts({
      userId: 'example-user',
      facts: [{ content: 'Prefers green tea over coffee', source: 'example', confidence: 0.9 }],
    });
    const { facts } = await recall.memory.recallFacts({
      userId: 'example-user',
      query: 'what does the user drink',
      limit: 1,
    });
    console.log(`fact: ${facts[0]?.content ?? '(none)'}`);
  } catch (error) {
    const code = (error as { code?: number }).code;
    console.error(
      `recall call failed: ${code === undefined ? String(error) : `${status[code]} ${(error as Error).message}`}`,
    );
    process.exitCode = 1;
  } finally {
    recall.close();
  }
}

void main();
