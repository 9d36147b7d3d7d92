import type { RecallClients } from '../../server/clients';
import type { LocomoConversation, LocomoQuestion } from './locomo';

/** Facts per AddFacts call (recall's limit). */
export const ADD_BATCH = 100;

/**
 * A conversation as one recall holds it. Identical turns ("Jon: Thanks!") are one fact (recall
 * keeps a user's fact once), so every turn is known by its fact's first turn: rankings and
 * evidence are both written in these canonical turn ids.
 */
export interface LoadedConversation {
  conversation: LocomoConversation;
  userId: string;
  /** Turn id → the canonical turn id of its fact. */
  canonical: Map<string, string>;
  /** Fact id → canonical turn id. */
  turnOfFact: Map<string, string>;
  /** Distinct facts stored (turns minus identical ones). */
  facts: number;
  addMs: number;
}

/** A question as scored: its evidence as canonical turn ids, those that match no turn apart. */
export interface ScoredQuestion {
  question: LocomoQuestion;
  evidence: string[];
  unmatched: string[];
}

/** One user per speaker pair, unique per run: `locomo-<run>-<sample>-<speaker>-<speaker>`. */
export function userIdFor(run: string, conversation: LocomoConversation): string {
  const raw = ['locomo', run, conversation.sampleId, ...conversation.speakers].join('-');
  return raw.replace(/[^A-Za-z0-9._:@-]+/g, '_').slice(0, 128);
}

/**
 * Adds every turn of the conversation as one fact of the pair's user, in batches of
 * ADD_BATCH, with its session's date as `valid_from` and its turn id as `source`.
 */
export async function loadConversation(
  clients: RecallClients,
  run: string,
  conversation: LocomoConversation,
): Promise<LoadedConversation> {
  const userId = userIdFor(run, conversation);
  const canonical = new Map<string, string>();
  const turnOfFact = new Map<string, string>();
  const started = performance.now();
  for (let start = 0; start < conversation.turns.length; start += ADD_BATCH) {
    const batch = conversation.turns.slice(start, start + ADD_BATCH);
    const response = await clients.memory.addFacts(
      { userId, facts: batch.map((t) => ({ content: t.fact, source: t.diaId, validFrom: t.date })) },
      { timeoutMs: 600_000 },
    );
    if (response.facts.length !== batch.length) {
      throw new Error(`AddFacts returned ${response.facts.length} facts for ${batch.length} turns`);
    }
    response.facts.forEach((fact, i) => {
      const turn = batch[i]!.diaId;
      if (!turnOfFact.has(fact.id)) turnOfFact.set(fact.id, turn);
      canonical.set(turn, turnOfFact.get(fact.id)!);
    });
  }
  return {
    conversation,
    userId,
    canonical,
    turnOfFact,
    facts: turnOfFact.size,
    addMs: Math.round(performance.now() - started),
  };
}

/** The question's evidence in canonical turn ids (unique); ids that match no turn are listed apart. */
export function scoredQuestion(question: LocomoQuestion, canonical: ReadonlyMap<string, string>): ScoredQuestion {
  const evidence: string[] = [];
  const unmatched: string[] = [];
  for (const id of question.evidence) {
    const turn = canonical.get(id);
    if (turn === undefined) unmatched.push(id);
    else if (!evidence.includes(turn)) evidence.push(turn);
  }
  return { question, evidence, unmatched };
}
