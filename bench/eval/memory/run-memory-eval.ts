/**
 * `npm run eval -- --memory DIR|FILE`: memory quality through RecallFacts on LoCoMo-format data.
 * Each turn becomes one fact of its speaker pair's user (valid from its session's date); each
 * question is asked once per retrieval mode; evidence recall@5/10/20 and hit@10 are scored
 * overall and per category beside a BM25 anchor on the same facts. Prints Markdown on stdout
 * and writes bench/results/eval-memory-<name>-<stamp>.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { machineInfo, versions } from '../../report/machine-info';
import { fileStamp } from '../../report/results-writer';
import { PROJECT_ROOT } from '../../server/recall-process';
import type { EvalOptions } from '../eval-options';
import { ratioLines } from '../eval-table';
import type { EvalModels } from '../models';
import { ADVERSARIAL, type LocomoConversation, loadLocomo } from './locomo';
import { runMemoryAnchor } from './memory-anchor';
import { type LoadedRun, type MemorySystemResult, RECALL_LIMIT, runMemorySystem } from './memory-system-run';
import { memoryRatios, memoryTables } from './memory-table';

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/** What the data holds and what of it can be scored (evidence that matches no turn is listed). */
function describeConversation(conversation: LocomoConversation, run: LoadedRun, index: number) {
  const loaded = run.loaded[index]!;
  const asked = new Set(run.questions[index]!.map((q) => q.question.id));
  const scoreable = new Set(
    conversation.questions.filter((q) => q.evidence.some((id) => loaded.canonical.has(id))).map((q) => q.id),
  );
  const unmatched = conversation.questions.flatMap((q) =>
    q.evidence.filter((id) => !loaded.canonical.has(id)).map((id) => ({ question: q.id, evidence: id })),
  );
  const normalised = conversation.questions
    .filter((q) => q.rawEvidence.join('|') !== q.evidence.join('|'))
    .map((q) => ({ question: q.id, raw: q.rawEvidence, normalised: q.evidence }));
  return {
    sampleId: conversation.sampleId,
    speakers: conversation.speakers,
    sessions: new Set(conversation.turns.map((t) => t.session)).size,
    turns: conversation.turns.length,
    facts: loaded.facts,
    questions: conversation.questions.length,
    /** Questions asked and scored (all those with evidence that names a turn, unless --queries cut them). */
    scored: asked.size,
    adversarial: conversation.questions.filter((q) => q.category === ADVERSARIAL && asked.has(q.id)).length,
    /** Questions no evidence id of which names a turn: never scored. */
    unscored: conversation.questions.filter((q) => !scoreable.has(q.id)).map((q) => q.id),
    unmatchedEvidence: unmatched,
    normalisedEvidence: normalised,
  };
}

/** Runs the memory eval of `options.memory` on every system of `models`; returns the JSON's path. */
export async function runMemoryEval(
  options: EvalOptions & { memory: string },
  models: EvalModels,
  log: (line: string) => void,
): Promise<string> {
  const data = loadLocomo(options.memory);
  const run = fileStamp().toLowerCase();
  log(
    `${data.name}: ${data.conversations.length} conversations, ${data.conversations.reduce((n, c) => n + c.turns.length, 0)} turns, ${data.conversations.reduce((n, c) => n + c.questions.length, 0)} questions`,
  );
  const machine = machineInfo();
  const systems: MemorySystemResult[] = [];
  let first: LoadedRun | undefined;
  for (const system of models.systems) {
    const { loaded, questions, ...result } = await runMemorySystem(
      system,
      data.conversations,
      run,
      options.maxQueries,
      log,
    );
    first ??= { loaded, questions };
    systems.push(result);
  }
  if (!first) throw new Error('no system to evaluate');
  log(`${data.name}: BM25 anchor`);
  const anchor = await runMemoryAnchor(first);
  const table = memoryTables(anchor, systems);
  const ratios = memoryRatios(anchor, systems);
  const notes = [
    'Categories 1–4 make the overall figures; adversarial questions (category 5: the premise is not in the conversation, though the data names the turn it twists) are scored in their own column and in "all".',
    `Each turn is one fact "Speaker: text" (an image's caption appended as " [image: …]"); identical turns are one fact. RecallFacts limit ${RECALL_LIMIT}.`,
    ...systems.flatMap((s) => s.notes.map((n) => `${s.system}: ${n}`)),
  ];
  const conversations = data.conversations.map((c, i) => describeConversation(c, first!, i));
  mkdirSync(options.outDir, { recursive: true });
  const file = path.join(options.outDir, `eval-memory-${data.name}-${fileStamp()}.json`);
  const json = {
    kind: 'recall-memory-eval',
    date: new Date().toISOString(),
    commit: gitCommit(),
    command: `npm run eval -- ${process.argv.slice(2).join(' ')}`,
    machine,
    versions: versions(PROJECT_ROOT),
    dataset: { name: data.name, files: data.files.map((f) => path.basename(f)), conversations },
    options,
    recallLimit: RECALL_LIMIT,
    anchor,
    systems,
    notes,
    table,
    ratios,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(
    `## Memory: ${data.name}\n\n${table}\n\n${ratioLines(ratios)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nresults: ${path.relative(process.cwd(), file)}\n`,
  );
  return file;
}
