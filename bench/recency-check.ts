/**
 * A quick check of RecallFacts' recency weighting (MEMORY_RECENCY_HALF_LIFE_DAYS) on LoCoMo-
 * format data, in one run: each turn is added as a fact ("Speaker: text") valid from its
 * session's date, then each question recalls from the pair's memory with recency off and at
 * several half-lives. Prints evidence recall@10 and hit@10, overall and for temporal
 * questions (category 2). Orientation only: the memory eval (`npm run eval -- --memory DIR`)
 * is the measure; never tune to the shared conversations.
 *
 *   npx tsx bench/recency-check.ts DIR   (DIR holds a LoCoMo-format *.json; starts all-MiniLM-L6-v2)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddingServer } from '../harness/embedding-server';
import { openMemoryTools } from '../src/composition/memory-tools';
import { loadConfig } from '../src/config';
import { backgroundContext } from '../src/domain/context';
import { createLogger } from '../src/observability/logger';

const HALF_LIVES = [0, 7, 30, 180, 720];
const K = 10;

interface Conversation {
  sample_id: string;
  conversation: Record<string, unknown>;
  qa: Array<{ question: string; category: number; evidence: string[] }>;
}

/** "1:56 pm on 8 May, 2023" → a Date (UTC). */
function sessionDate(text: string): Date {
  const m = /(\d+):(\d+)\s*(am|pm) on (\d+) (\w+),? (\d{4})/i.exec(text);
  if (!m) throw new Error(`unparsed session date: ${text}`);
  const hour = (Number(m[1]) % 12) + (m[3]!.toLowerCase() === 'pm' ? 12 : 0);
  return new Date(`${m[4]} ${m[5]} ${m[6]} ${hour}:${m[2]}:00 UTC`);
}

/** "D8:6; D9:17" / "D:11:26" / "D30:05" → normalised dia ids. */
function evidenceIds(evidence: string[]): string[] {
  return evidence
    .flatMap((e) => e.split(/[;,]\s*/))
    .map((e) => /D:?(\d+):0*(\d+)/.exec(e.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `D${m[1]}:${m[2]}`);
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: bench/recency-check.ts DIR');
  const conversations = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Conversation[]);
  const work = await mkdtemp(path.join(tmpdir(), 'recency-check-'));
  const model = await startEmbeddingServer();
  const config = loadConfig({
    DATA_DIR: work,
    EMBEDDING_URL: model.url,
    EMBEDDING_MODEL: model.model,
    EMBEDDING_DIMENSION: String(model.dimension),
  });
  const tools = await openMemoryTools(config, createLogger('warn'), HALF_LIVES);
  const services = tools.services;
  try {
    const ctx = backgroundContext();
    const totals = HALF_LIVES.map(() => ({ all: [0, 0, 0], temporal: [0, 0, 0] }));
    for (const conv of conversations) {
      const userId = conv.sample_id;
      const diaOf = new Map<string, string>();
      for (const [key, value] of Object.entries(conv.conversation)) {
        const session = /^session_(\d+)$/.exec(key);
        if (!session) continue;
        const validFrom = sessionDate(String(conv.conversation[`${key}_date_time`]));
        const turns = value as Array<{ speaker: string; dia_id: string; text: string }>;
        for (let i = 0; i < turns.length; i += 50) {
          const batch = turns.slice(i, i + 50);
          const added = await services[0]!.addFacts(
            {
              userId,
              facts: batch.map((t) => ({
                content: `${t.speaker}: ${t.text}`,
                source: t.dia_id,
                confidence: 1,
                metadata: {},
                validFrom,
              })),
            },
            ctx,
          );
          added.facts.forEach((f, j) => diaOf.set(f.id, batch[j]!.dia_id));
        }
      }
      for (const qa of conv.qa) {
        const wanted = new Set(evidenceIds(qa.evidence));
        if (wanted.size === 0) continue;
        for (const [h, service] of services.entries()) {
          const { facts } = await service.recallFacts({ userId, query: qa.question, limit: K }, ctx);
          const found = new Set(facts.map((f) => diaOf.get(f.id)).filter((id) => id && wanted.has(id)));
          const recall = found.size / wanted.size;
          for (const bucket of qa.category === 2 ? [totals[h]!.all, totals[h]!.temporal] : [totals[h]!.all]) {
            bucket[0]! += recall;
            bucket[1]! += found.size > 0 ? 1 : 0;
            bucket[2]! += 1;
          }
        }
      }
    }
    console.log(`| half-life (days) | recall@${K} | hit@${K} | temporal recall@${K} | temporal hit@${K} | questions |`);
    console.log('| --- | --- | --- | --- | --- | --- |');
    totals.forEach((t, h) => {
      const f = (x: number, n: number) => (x / n).toFixed(3);
      console.log(
        `| ${HALF_LIVES[h] || 'off'} | ${f(t.all[0]!, t.all[2]!)} | ${f(t.all[1]!, t.all[2]!)} | ${f(t.temporal[0]!, t.temporal[2]!)} | ${f(t.temporal[1]!, t.temporal[2]!)} | ${t.all[2]} (${t.temporal[2]} temporal) |`,
      );
    });
  } finally {
    await tools.close();
    await model.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
