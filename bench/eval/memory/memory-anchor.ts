import { runAnchor } from '../anchor';
import type { EvalQuery } from '../dataset-types';
import { type CategoryBreakdown, breakdown, scoreEvidence } from './memory-metrics';
import type { MemoryQuestionResult } from './memory-system-run';
import type { LoadedRun } from './memory-system-run';
import { RECALL_LIMIT } from './memory-system-run';

/** The BM25 anchor's measures on the same facts and questions. */
export type MemoryAnchorResult = CategoryBreakdown & {
  system: string;
  indexMs: number;
  searchMs: number;
  versions: Record<string, string>;
  perQuestion: MemoryQuestionResult[];
};

/**
 * BM25 (bm25s, as the search eval's anchor) per conversation over the same fact texts recall
 * stored (one document per distinct fact, known by its canonical turn id), top RECALL_LIMIT
 * per question, scored with the same measures.
 */
export async function runMemoryAnchor(run: LoadedRun): Promise<MemoryAnchorResult> {
  const perQuestion: MemoryQuestionResult[] = [];
  let indexMs = 0;
  let searchMs = 0;
  let versions: Record<string, string> = {};
  for (const [c, loaded] of run.loaded.entries()) {
    const questions = run.questions[c]!;
    if (questions.length === 0) continue;
    const factText = new Map(loaded.conversation.turns.map((t) => [t.diaId, t.fact]));
    const docs = [...loaded.turnOfFact.values()].map((turn) => ({ id: turn, title: '', body: factText.get(turn)! }));
    const queries: EvalQuery[] = questions.map(({ question }) => ({ id: question.id, text: question.text }));
    const name = `memory-${loaded.conversation.sampleId}`;
    const anchor = await runAnchor({ name, docs, queries, qrels: new Map() }, queries, RECALL_LIMIT);
    indexMs += anchor.indexMs;
    searchMs += anchor.searchMs;
    versions = anchor.versions;
    for (const { question, evidence } of questions) {
      const ranking = anchor.run.get(question.id) ?? [];
      perQuestion.push({ id: question.id, category: question.category, ...scoreEvidence(ranking, evidence), ranking });
    }
  }
  return {
    system: 'BM25 (bm25s, English stop words, Snowball stemmer)',
    ...breakdown(perQuestion),
    indexMs,
    searchMs,
    versions,
    perQuestion,
  };
}
