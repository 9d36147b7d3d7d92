import type { ModeScore } from './mode-run';
import type { SystemResult } from './system-run';

/** The anchor's row data. */
export interface AnchorScore {
  ndcg10: number;
  map100: number;
  recall100: number;
}

const f3 = (x: number | undefined) => (x === undefined ? '' : x.toFixed(3));

/** The eval's table in Markdown: the BM25 anchor, then each system's modes. */
export function evalTable(anchor: AnchorScore, systems: SystemResult[]): string {
  const rows = [
    '| system | mode | nDCG@10 | MAP@100 | Recall@100 | p50 ms | reranked | early exit |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| BM25 anchor (bm25s, stemmed) | lexical | ${f3(anchor.ndcg10)} | ${f3(anchor.map100)} | ${f3(anchor.recall100)} | | | |`,
  ];
  for (const system of systems) {
    for (const mode of system.modes) rows.push(row(system.system, mode));
  }
  return rows.join('\n');
}

function row(system: string, mode: ModeScore): string {
  if (mode.unavailable) return `| ${system} | ${mode.mode} | ${mode.unavailable} | | | | | |`;
  const errors = mode.errors ? ` (${mode.errors} failed)` : '';
  // Only AUTO decides per query; the other modes rerank always or never.
  const auto = mode.mode.includes('AUTO');
  const share = (rate: number | undefined) => (auto ? `${((rate ?? 0) * 100).toFixed(1)} %` : '');
  return `| ${system} | ${mode.mode}${errors} | ${f3(mode.ndcg10)} | ${f3(mode.map100)} | ${f3(mode.recall100)} | ${mode.latencyMs?.p50.toFixed(1) ?? ''} | ${share(mode.rerankedRate)} | ${share(mode.earlyExitRate)} |`;
}

/**
 * Ratios measured within one run, per system: hybrid's p50 latency against dense-only (the
 * cost of the lexical side), AUTO's nDCG@10 against the always-reranked mode of the same
 * retrieval (what AUTO's skips cost or save: the early exit, and in hybrid mode the built-in
 * lexical reranker's skip), and dense AUTO against dense + rerank (the early exit's own
 * cost). A ratio whose modes did not both run is left out.
 */
export function evalRatios(systems: SystemResult[]): { system: string; ratio: string; value: number }[] {
  const out: { system: string; ratio: string; value: number }[] = [];
  for (const system of systems) {
    const get = (name: string) => system.modes.find((m) => m.mode === name && !m.unavailable);
    const add = (ratio: string, a: number | undefined, b: number | undefined) => {
      if (a !== undefined && b !== undefined && b > 0) out.push({ system: system.system, ratio, value: a / b });
    };
    add('p50 latency hybrid / dense', get('hybrid')?.latencyMs?.p50, get('dense')?.latencyMs?.p50);
    const always = get('hybrid + rerank') ?? get('dense + rerank');
    add(`nDCG@10 AUTO / ${always?.mode ?? 'rerank'}`, get('AUTO (default)')?.ndcg10, always?.ndcg10);
    add('nDCG@10 dense, AUTO / dense + rerank', get('dense, AUTO')?.ndcg10, get('dense + rerank')?.ndcg10);
  }
  return out;
}

/** The ratios as Markdown lines. */
export function ratioLines(ratios: ReturnType<typeof evalRatios>): string {
  return ratios.map((r) => `- ${r.system}: ${r.ratio} = ${r.value.toFixed(2)}×`).join('\n');
}
