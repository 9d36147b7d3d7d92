import { RetrievalMode } from '../../src/gen/recall/v1/search';
import type { RecallClients } from '../server/clients';
import type { BenchQuery } from '../workload/corpus';
import { type RatioResult, type SkippedRatio, paired, ratioOf } from './paired';

const LIMIT = 20;
const TIMEOUT_MS = 30_000;
/** The conversation's memory: turns of two speakers, each fact naming its speaker (as LoCoMo's). */
const SPEAKERS = ['Alex', 'Sam'];
const TURNS = 400;
const BATCH = 100;

/**
 * RecallFacts hybrid / dense (issue 17's latency goal, ≤ 1.3×) on a conversation's memory:
 * 400 turns of two speakers, each "Speaker: text", asked again and again with questions that
 * name a speaker, as an assistant asks a user's memory during a conversation. A speaker's name
 * matches half the facts, so without the lexical side's snapshots (fact-term-snapshots.ts)
 * the postings statement is what hybrid waits for.
 */
export async function recallFactsRatio(
  ctx: { clients: RecallClients; queries: readonly BenchQuery[]; pairs: number; seed: number },
  pick: (list: readonly BenchQuery[], i: number) => BenchQuery,
): Promise<Array<RatioResult | SkippedRatio>> {
  const user = `bench-conversation-${ctx.seed}-${Date.now()}`;
  const speaker = (i: number) => SPEAKERS[i % SPEAKERS.length]!;
  for (let from = 0; from < TURNS; from += BATCH) {
    const facts = Array.from({ length: BATCH }, (_, k) => ({
      content: `${speaker(from + k)}: ${ctx.queries[(from + k) % ctx.queries.length]!.text} (turn ${from + k})`,
      source: 'bench',
      confidence: 1,
    }));
    await ctx.clients.memory.addFacts({ userId: user, facts }, { timeoutMs: TIMEOUT_MS });
  }
  const question = (i: number) => `What did ${speaker(i)} say about ${pick(ctx.queries, i).text}?`;
  const recall = (i: number, retrieval: RetrievalMode) =>
    ctx.clients.memory.recallFacts(
      { userId: user, query: question(i), limit: LIMIT, retrieval },
      { timeoutMs: TIMEOUT_MS },
    );
  try {
    // Unmeasured: the first searches of a user run the postings statement and read the snapshot.
    for (let i = 0; i < 3; i++) await recall(i, RetrievalMode.RETRIEVAL_MODE_HYBRID);
    const measured = await paired(ctx.pairs, [
      (i) => recall(i, RetrievalMode.RETRIEVAL_MODE_HYBRID),
      (i) => recall(i, RetrievalMode.RETRIEVAL_MODE_DENSE),
    ]);
    const same = `${TURNS} turns of ${SPEAKERS.length} speakers, questions naming one, limit ${LIMIT}`;
    return [
      ratioOf(
        'recall_facts_hybrid_vs_dense',
        {
          name: 'RecallFacts hybrid / dense',
          a: `recall RecallFacts, RETRIEVAL_MODE_HYBRID, ${same}`,
          b: `the same question, RETRIEVAL_MODE_DENSE, ${same}`,
        },
        measured,
        [0, 1],
      ),
    ];
  } finally {
    await ctx.clients.memory.forgetUser({ userId: user }, { timeoutMs: TIMEOUT_MS }).catch(() => undefined);
  }
}
