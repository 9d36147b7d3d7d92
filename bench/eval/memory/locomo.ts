import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** LoCoMo's question categories, by number. */
export const LOCOMO_CATEGORIES: Readonly<Record<number, string>> = {
  1: 'multi-hop',
  2: 'temporal',
  3: 'open-domain',
  4: 'single-hop',
  5: 'adversarial',
};

/** The adversarial category: its answer is not in the conversation, so it is scored apart. */
export const ADVERSARIAL = 5;

/** One turn of a conversation, as the eval adds it: one fact. */
export interface LocomoTurn {
  /** `D<session>:<turn>`, the id evidence refers to. */
  diaId: string;
  session: number;
  speaker: string;
  /** What is added: `Speaker: text`, plus ` [image: caption]` when the turn shared an image. */
  fact: string;
  /** When the turn's session took place (the fact's `valid_from`). */
  date: Date;
}

/** One question, with its evidence normalised to turn ids. */
export interface LocomoQuestion {
  /** `<sample_id>#<index in qa>`: unique across conversations. */
  id: string;
  text: string;
  category: number;
  /** Normalised evidence ids (unique, in the order given). */
  evidence: string[];
  /** The evidence as written in the file. */
  rawEvidence: string[];
}

/** One conversation between two speakers and its questions. */
export interface LocomoConversation {
  sampleId: string;
  speakers: [string, string];
  turns: LocomoTurn[];
  questions: LocomoQuestion[];
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A session date as LoCoMo writes it ("1:56 pm on 8 May, 2023"), read as UTC (the dataset
 * gives no time zone). Throws on anything else.
 */
export function parseSessionDate(text: string): Date {
  const match = /^\s*(\d{1,2}):(\d{2})\s*([ap])\.?m\.?\s+on\s+(\d{1,2})\s+([a-z]+),?\s+(\d{4})\s*$/i.exec(text);
  const month = match ? MONTHS.findIndex((m) => m.startsWith(match[5]!.toLowerCase()) && match[5]!.length >= 3) : -1;
  if (!match || month < 0) throw new Error(`unreadable session date "${text}"`);
  const hour12 = Number(match[1]);
  const minute = Number(match[2]);
  const day = Number(match[4]);
  if (hour12 < 1 || hour12 > 12 || minute > 59 || day < 1 || day > 31)
    throw new Error(`unreadable session date "${text}"`);
  const hour = (hour12 % 12) + (match[3]!.toLowerCase() === 'p' ? 12 : 0);
  return new Date(Date.UTC(Number(match[6]), month, day, hour, minute));
}

/**
 * Evidence ids normalised to `D<session>:<turn>` without leading zeros: the original has a few
 * malformed ones ("D:11:26" → D11:26, "D30:05" → D30:5, "D8:6; D9:17" → D8:6 and D9:17).
 * Pieces that are no turn id at all are dropped; duplicates are kept once.
 */
export function normaliseEvidence(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const entry of raw) {
    for (const piece of String(entry).split(/[;,\s]+/)) {
      const match = /^D:?0*(\d+):0*(\d+)$/i.exec(piece.trim());
      if (!match) continue;
      const id = `D${match[1]}:${match[2]}`;
      if (!out.includes(id)) out.push(id);
    }
  }
  return out;
}

/** The fact a turn becomes: `Speaker: text`, and the image's caption in brackets when it shared one. */
export function turnFact(turn: { speaker: string; text: string; blip_caption?: string }): string {
  const caption = turn.blip_caption?.trim();
  return `${turn.speaker}: ${turn.text.trim()}${caption ? ` [image: ${caption}]` : ''}`;
}

interface RawTurn {
  speaker: string;
  dia_id: string;
  text: string;
  blip_caption?: string;
}
interface RawSample {
  sample_id: string;
  conversation: Record<string, unknown> & { speaker_a: string; speaker_b: string };
  qa: { question: string; category: number; evidence?: string[] }[];
}

/** One conversation of the dataset's JSON (an entry of its top-level list). */
export function parseConversation(sample: RawSample): LocomoConversation {
  const { conversation } = sample;
  const sessions = Object.keys(conversation)
    .map((key) => /^session_(\d+)$/.exec(key))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const turns: LocomoTurn[] = [];
  for (const session of sessions) {
    const date = parseSessionDate(String(conversation[`session_${session}_date_time`]));
    for (const turn of conversation[`session_${session}`] as RawTurn[]) {
      const [diaId] = normaliseEvidence([turn.dia_id]);
      if (!diaId) throw new Error(`${sample.sample_id}: turn id "${turn.dia_id}" is not D<session>:<turn>`);
      turns.push({ diaId, session, speaker: turn.speaker, fact: turnFact(turn), date });
    }
  }
  const questions = sample.qa.map((qa, i) => ({
    id: `${sample.sample_id}#${i}`,
    text: qa.question,
    category: Number(qa.category),
    evidence: normaliseEvidence(qa.evidence ?? []),
    rawEvidence: qa.evidence ?? [],
  }));
  return { sampleId: sample.sample_id, speakers: [conversation.speaker_a, conversation.speaker_b], turns, questions };
}

/**
 * Where `spec` is: a file or directory, or a bare name (`locomo-sample`) looked up under
 * $RECALL_EVAL_DATASETS (default `../shared/datasets` of the project root), as `--dataset` does.
 */
export function resolveLocomo(spec: string, projectRoot: string): string {
  let found = spec;
  if (!spec.includes('/') && !existsSync(spec)) {
    found = path.join(process.env.RECALL_EVAL_DATASETS ?? path.join(projectRoot, '..', 'shared', 'datasets'), spec);
  }
  if (!existsSync(found)) throw new Error(`--memory: no LoCoMo-format file or directory at ${path.resolve(found)}`);
  return path.resolve(found);
}

/**
 * The conversations of a LoCoMo-format JSON file, or of every `.json` file of a directory
 * (in name order). Each file holds a list of conversations, or one.
 */
export function loadLocomo(spec: string): { name: string; files: string[]; conversations: LocomoConversation[] } {
  const files = statSync(spec).isDirectory()
    ? readdirSync(spec)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(spec, f))
    : [spec];
  if (files.length === 0) throw new Error(`${spec}: no .json file in LoCoMo's format`);
  const conversations: LocomoConversation[] = [];
  for (const file of files) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as RawSample | RawSample[];
    for (const sample of Array.isArray(parsed) ? parsed : [parsed]) conversations.push(parseConversation(sample));
  }
  const ids = conversations.map((c) => c.sampleId);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new Error(`${spec}: conversation ${repeated} appears twice`);
  return { name: path.basename(spec).replace(/\.json$/, ''), files, conversations };
}
