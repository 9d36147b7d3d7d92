/** Helpers shared by the repository contract suites in this folder. */
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../../../src/adapters/sql/sql-client';
import { backgroundContext } from '../../../src/domain/context';
import type { MemoryRepository, NewFact } from '../../../src/domain/ports';

/** A context without deadline. */
export const ctx = backgroundContext();
/** A user id no other test uses. */
export const newUser = () => `user-${randomUUID()}`;
/** A fact with fixed source, confidence and metadata. */
export const fact = (content: string): NewFact => ({
  content,
  source: 'test',
  confidence: 0.75,
  metadata: { origin: 'test' },
});

/** A small deterministic PRNG, so a failing mix can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** user_stats next to counts taken from the rows themselves. */
export async function recount(client: SqlClient, userId: string) {
  const [row] = await client.query<Record<string, string | number>>(
    'test_recount',
    `SELECT (SELECT count(*) FROM memory_facts WHERE user_id = $1) AS facts,
            (SELECT count(*) FROM conversations WHERE user_id = $1) AS conversations,
            (SELECT count(*) FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
              WHERE c.user_id = $1) AS messages,
            (SELECT count(*) FROM conversations c WHERE c.user_id = $1 AND c.message_count <>
              (SELECT count(*) FROM conversation_messages m WHERE m.conversation_id = c.id)) AS drifted`,
    [userId],
    ctx,
  );
  return {
    facts: Number(row!.facts),
    conversations: Number(row!.conversations),
    messages: Number(row!.messages),
    drifted: Number(row!.drifted),
  };
}

/** Asserts that user_stats equals the counts taken from the rows. */
export async function expectStatsMatchRows(client: SqlClient, repo: MemoryRepository, userId: string): Promise<void> {
  const rows = await recount(client, userId);
  const stats = await repo.getUserStats(userId, ctx);
  expect(rows.drifted).toBe(0);
  expect({
    facts: stats?.factCount ?? 0,
    conversations: stats?.conversationCount ?? 0,
    messages: stats?.messageCount ?? 0,
  }).toEqual({ facts: rows.facts, conversations: rows.conversations, messages: rows.messages });
}
