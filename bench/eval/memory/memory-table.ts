import { LOCOMO_CATEGORIES } from './locomo';
import type { MemoryAnchorResult } from './memory-anchor';
import type { CategoryBreakdown, GroupScores } from './memory-metrics';
import type { MemorySystemResult } from './memory-system-run';

const f3 = (x: number) => x.toFixed(3);
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

interface Row {
  system: string;
  mode: string;
  scores: CategoryBreakdown;
  latency?: { p50: number; p95: number };
}

function rows(anchor: MemoryAnchorResult, systems: readonly MemorySystemResult[]): Row[] {
  return [
    { system: 'BM25 anchor', mode: '—', scores: anchor },
    ...systems.flatMap((s) =>
      s.modes.map((m) => ({ system: s.system, mode: m.mode, scores: m, latency: m.latencyMs })),
    ),
  ];
}

/**
 * Two Markdown tables: evidence recall@5/10/20, hit@10 and RecallFacts latency over the
 * questions of categories 1–4; then recall@10 / hit@10 per category and over all five.
 */
export function memoryTables(anchor: MemoryAnchorResult, systems: readonly MemorySystemResult[]): string {
  const all = rows(anchor, systems);
  const n = anchor.overall.questions;
  const head = [
    `Categories 1–4 (${n} questions): evidence recall@k and hit@10; RecallFacts latency at concurrency 1, client side`,
    '',
    '| system | mode | recall@5 | recall@10 | recall@20 | hit@10 | p50 ms | p95 ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...all.map((r) => {
      const o = r.scores.overall;
      const lat = r.latency ? `${ms(r.latency.p50)} | ${ms(r.latency.p95)}` : '— | —';
      return `| ${r.system} | ${r.mode} | ${f3(o.recall5)} | ${f3(o.recall10)} | ${f3(o.recall20)} | ${f3(o.hit10)} | ${lat} |`;
    }),
  ];
  const names = Object.values(LOCOMO_CATEGORIES).filter((c) => anchor.byCategory[c]);
  const cell = (g: GroupScores | undefined) => (g ? `${f3(g.recall10)} / ${f3(g.hit10)}` : '—');
  const counts = names.map((c) => `${c} ${anchor.byCategory[c]!.questions}`).join(', ');
  const perCategory = [
    `Evidence recall@10 / hit@10 per category (questions: ${counts}; all: ${anchor.all.questions})`,
    '',
    `| system | mode | ${names.join(' | ')} | all |`,
    `| --- | --- | ${names.map(() => '---').join(' | ')} | --- |`,
    ...all.map(
      (r) =>
        `| ${r.system} | ${r.mode} | ${names.map((c) => cell(r.scores.byCategory[c])).join(' | ')} | ${cell(r.scores.all)} |`,
    ),
  ];
  return `${head.join('\n')}\n\n${perCategory.join('\n')}`;
}

/** One comparison of a system's modes with each other or with the anchor. */
export interface MemoryRatio {
  system: string;
  ratio: string;
  value: number;
}

/**
 * Per system, the comparisons the targets are stated in: hybrid's recall@10 over
 * dense's and over the BM25 anchor's (categories 1–4), hybrid's temporal recall@10 over
 * dense's, and hybrid's p50 latency over dense's.
 */
export function memoryRatios(anchor: MemoryAnchorResult, systems: readonly MemorySystemResult[]): MemoryRatio[] {
  const out: MemoryRatio[] = [];
  for (const system of systems) {
    const get = (name: string) => system.modes.find((m) => m.mode === name);
    const add = (ratio: string, a: number | undefined, b: number | undefined) => {
      if (a !== undefined && b !== undefined && b > 0) out.push({ system: system.system, ratio, value: a / b });
    };
    const hybrid = get('hybrid');
    const dense = get('dense');
    add('recall@10 hybrid / dense', hybrid?.overall.recall10, dense?.overall.recall10);
    add('recall@10 hybrid / BM25 anchor', hybrid?.overall.recall10, anchor.overall.recall10);
    add(
      'temporal recall@10 hybrid / dense',
      hybrid?.byCategory.temporal?.recall10,
      dense?.byCategory.temporal?.recall10,
    );
    add('p50 latency hybrid / dense', hybrid?.latencyMs.p50, dense?.latencyMs.p50);
  }
  return out;
}
