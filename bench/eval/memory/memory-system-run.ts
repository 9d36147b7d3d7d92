import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RetrievalMode } from '../../../src/gen/recall/v1/search';
import { summarize } from '../../report/stats';
import { type RecallClients, connectRecall } from '../../server/clients';
import { type RecallProcess, startRecall, withExitReason } from '../../server/recall-process';
import type { EvalSystem } from '../system-run';
import type { LocomoConversation } from './locomo';
import { type LoadedConversation, type ScoredQuestion, loadConversation, scoredQuestion } from './memory-load';
import { type CategoryBreakdown, type EvidenceScores, breakdown, scoreEvidence } from './memory-metrics';

/** RecallFacts' limit in the eval: the measures look at the first 20. */
export const RECALL_LIMIT = 20;
const WARMUP_QUESTIONS = 5;

/** The retrieval modes RecallFacts is asked for, in the order of the table. */
export const MEMORY_MODES = [
  { name: 'dense', retrieval: RetrievalMode.RETRIEVAL_MODE_DENSE },
  { name: 'lexical', retrieval: RetrievalMode.RETRIEVAL_MODE_LEXICAL },
  { name: 'hybrid', retrieval: RetrievalMode.RETRIEVAL_MODE_HYBRID },
] as const;

/** One question's outcome in one mode. */
export type MemoryQuestionResult = { id: string; category: number } & EvidenceScores & {
    /** Client-side RecallFacts latency, ms (absent when the call failed). */
    ms?: number;
    /** Canonical turn ids returned, best first. */
    ranking: string[];
  };

/** What one mode scored on one system, with what its hits said about how they were found. */
export type MemoryModeScore = { mode: string } & CategoryBreakdown & {
    latencyMs: { p50: number; p95: number; mean: number };
    errors: number;
    /** Hits returned, and how many carried a vector_score / a lexical_score above 0. */
    hits: { total: number; withVectorScore: number; withLexicalScore: number };
    /** Share of questions whose ranking is exactly dense's. */
    sameAsDense: number;
    perQuestion: MemoryQuestionResult[];
  };

/** A system's results on every conversation. */
export interface MemorySystemResult {
  system: string;
  backends: Record<string, unknown>;
  ingest: { conversation: string; userId: string; turns: number; facts: number; ms: number }[];
  modes: MemoryModeScore[];
  /** Notes on the run, e.g. that the server ignored the retrieval mode. */
  notes: string[];
  problems: string[];
}

/** The questions of the run and the conversations, as the first system stored them (for the anchor). */
export interface LoadedRun {
  loaded: LoadedConversation[];
  questions: ScoredQuestion[][];
}

/**
 * Starts recall for `system` (embedded stores in a temporary DATA_DIR, query-embedding cache
 * off), adds every turn of every conversation as a fact, then asks RecallFacts each question
 * once per mode, the modes in turn for each question so that load on the machine hits them alike.
 * With a `target`, the run's users are forgotten at the end.
 */
export async function runMemorySystem(
  system: EvalSystem,
  conversations: LocomoConversation[],
  run: string,
  maxQuestions: number,
  log: (line: string) => void,
): Promise<MemorySystemResult & LoadedRun> {
  const dataDir = system.target ? undefined : mkdtempSync(path.join(tmpdir(), 'recall-memory-eval-'));
  let recall: RecallProcess | undefined;
  let clients: RecallClients | undefined;
  const loaded: LoadedConversation[] = [];
  try {
    if (!system.target) {
      const env = { DATA_DIR: dataDir!, EMBEDDING_CACHE_SIZE: '0', LOG_LEVEL: 'info', ...system.env };
      recall = await startRecall(`memory eval ${system.name}`, env);
    }
    clients = connectRecall(system.target ?? recall!.grpcAddress);
    for (const conversation of conversations) {
      log(`${system.name}: adding ${conversation.turns.length} turns of ${conversation.sampleId}`);
      loaded.push(await loadConversation(clients, run, conversation));
    }
    const questions = loaded.map((l) => {
      const all = l.conversation.questions.map((q) => scoredQuestion(q, l.canonical));
      return (maxQuestions > 0 ? all.slice(0, maxQuestions) : all).filter((q) => q.evidence.length > 0);
    });
    await warmUp(clients, loaded[0], questions[0] ?? []);
    log(`${system.name}: ${questions.flat().length} questions × ${MEMORY_MODES.length} modes`);
    const modes = await askAll(clients, loaded, questions);
    return {
      system: system.name,
      backends: recall?.backends ?? { target: system.target },
      ingest: loaded.map((l) => ({
        conversation: l.conversation.sampleId,
        userId: l.userId,
        turns: l.conversation.turns.length,
        facts: l.facts,
        ms: l.addMs,
      })),
      modes,
      notes: modeNotes(modes),
      problems: recall?.problems ?? [],
      loaded,
      questions,
    };
  } catch (error) {
    throw withExitReason(error, recall);
  } finally {
    // A running target keeps its data: the eval's users are forgotten (best effort).
    if (system.target && clients) {
      for (const { userId } of loaded) await clients.memory.forgetUser({ userId }).catch(() => undefined);
    }
    clients?.close();
    await recall?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A few unmeasured calls per mode: the first calls of a fresh process pay for JIT and connections. */
async function warmUp(clients: RecallClients, loaded: LoadedConversation | undefined, questions: ScoredQuestion[]) {
  if (!loaded) return;
  for (const { question } of questions.slice(0, WARMUP_QUESTIONS)) {
    for (const mode of MEMORY_MODES) {
      await clients.memory.recallFacts(
        { userId: loaded.userId, query: question.text, limit: RECALL_LIMIT, retrieval: mode.retrieval },
        { timeoutMs: 300_000 },
      );
    }
  }
}

async function askAll(
  clients: RecallClients,
  loaded: LoadedConversation[],
  questions: ScoredQuestion[][],
): Promise<MemoryModeScore[]> {
  const per = MEMORY_MODES.map(() => [] as MemoryQuestionResult[]);
  const hits = MEMORY_MODES.map(() => ({ total: 0, withVectorScore: 0, withLexicalScore: 0 }));
  const errors = MEMORY_MODES.map(() => 0);
  for (const [c, conversation] of loaded.entries()) {
    for (const { question, evidence } of questions[c]!) {
      for (const [m, mode] of MEMORY_MODES.entries()) {
        let ranking: string[] = [];
        let ms: number | undefined;
        const started = performance.now();
        try {
          const response = await clients.memory.recallFacts(
            { userId: conversation.userId, query: question.text, limit: RECALL_LIMIT, retrieval: mode.retrieval },
            { timeoutMs: 300_000 },
          );
          ms = performance.now() - started;
          ranking = response.facts.map((f) => conversation.turnOfFact.get(f.id) ?? `unknown:${f.id}`);
          hits[m]!.total += response.facts.length;
          hits[m]!.withVectorScore += response.facts.filter((f) => f.vectorScore > 0).length;
          hits[m]!.withLexicalScore += response.facts.filter((f) => f.lexicalScore > 0).length;
        } catch {
          errors[m]!++;
        }
        per[m]!.push({
          id: question.id,
          category: question.category,
          ...scoreEvidence(ranking, evidence),
          ...(ms === undefined ? {} : { ms }),
          ranking,
        });
      }
    }
  }
  const dense = per[0]!;
  return MEMORY_MODES.map((mode, m) => {
    const latency = summarize(per[m]!.flatMap((q) => (q.ms === undefined ? [] : [q.ms])));
    const same = per[m]!.filter((q, i) => q.ranking.join() === dense[i]!.ranking.join()).length;
    return {
      mode: mode.name,
      ...breakdown(per[m]!),
      latencyMs: { p50: latency.p50, p95: latency.p95, mean: latency.mean },
      errors: errors[m]!,
      hits: hits[m]!,
      sameAsDense: per[m]!.length === 0 ? 0 : same / per[m]!.length,
      perQuestion: per[m]!,
    };
  });
}

/**
 * What the hits say about the retrieval modes: a mode whose hits carry no lexical_score (or,
 * for dense, no vector_score) and rank exactly as dense's was most likely ignored by the server.
 */
export function modeNotes(modes: readonly MemoryModeScore[]): string[] {
  const notes: string[] = [];
  for (const mode of modes) {
    if (mode.hits.total === 0) continue;
    const missing =
      mode.mode === 'dense'
        ? mode.hits.withVectorScore === 0 && 'vector_score'
        : mode.hits.withLexicalScore === 0 && 'lexical_score';
    if (mode.mode !== 'dense' && missing && mode.sameAsDense === 1) {
      notes.push(
        `${mode.mode}: the server ignored retrieval=${mode.mode.toUpperCase()} — no hit carried a lexical_score and every ranking is dense's`,
      );
    } else if (missing) {
      notes.push(`${mode.mode}: no hit carried a ${missing}`);
    }
  }
  return notes;
}
