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
    '| system | mode | nDCG@10 | MAP@100 | Recall@100 | p50 ms | p95 ms | reranked | early exit |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| BM25 anchor (bm25s, stemmed) | lexical | ${f3(anchor.ndcg10)} | ${f3(anchor.map100)} | ${f3(anchor.recall100)} | | | | |`,
  ];
  for (const system of systems) {
    for (const mode of system.modes) rows.push(row(system.system, mode));
  }
  return rows.join('\n');
}

function row(system: string, mode: ModeScore): string {
  const errors = mode.errors ? ` (${mode.errors} failed)` : '';
  // Only AUTO decides per query; the other modes rerank always or never.
  const auto = mode.mode.startsWith('AUTO');
  const share = (rate: number | undefined) => (auto ? `${((rate ?? 0) * 100).toFixed(1)} %` : '');
  const ms = (x: number | undefined) => x?.toFixed(1) ?? '';
  return `| ${system} | ${mode.mode}${errors} | ${f3(mode.ndcg10)} | ${f3(mode.map100)} | ${f3(mode.recall100)} | ${ms(mode.latencyMs?.p50)} | ${ms(mode.latencyMs?.p95)} | ${share(mode.rerankedRate)} | ${share(mode.earlyExitRate)} |`;
}

/** A ratio measured within one run. */
export interface EvalRatio {
  system: string;
  ratio: string;
  value: number;
}

/**
 * Ratios measured within one run, per system: hybrid against the better of its two
 * retrievers (nDCG@10), hybrid's p50 latency against dense-only (the lexical side's cost),
 * and for each reranker AUTO against always reranking the same retrieval (nDCG@10 and p50:
 * what the early exit costs and saves). A ratio whose modes did not both run is left out.
 */
export function evalRatios(systems: SystemResult[]): EvalRatio[] {
  const out: EvalRatio[] = [];
  for (const system of systems) {
    const get = (name: string) => system.modes.find((m) => m.mode === name);
    const add = (ratio: string, a: number | undefined, b: number | undefined) => {
      if (a !== undefined && b !== undefined && b > 0) out.push({ system: system.system, ratio, value: a / b });
    };
    const dense = get('dense')?.ndcg10;
    const lexical = get('lexical')?.ndcg10;
    const best = dense === undefined || lexical === undefined ? undefined : Math.max(dense, lexical);
    add('nDCG@10 hybrid / best of dense and lexical', get('hybrid')?.ndcg10, best);
    add('p50 latency hybrid / dense', get('hybrid')?.latencyMs?.p50, get('dense')?.latencyMs?.p50);
    for (const reranker of ['built-in', 'cross-encoder']) {
      const auto = get(`AUTO, ${reranker}`);
      const always = get(`hybrid + ${reranker}`);
      add(`nDCG@10 AUTO / hybrid + ${reranker}`, auto?.ndcg10, always?.ndcg10);
      add(`p50 latency AUTO / hybrid + ${reranker}`, auto?.latencyMs?.p50, always?.latencyMs?.p50);
    }
  }
  return out;
}

/** The ratios as Markdown lines. */
export function ratioLines(ratios: EvalRatio[]): string {
  return ratios.map((r) => `- ${r.system}: ${r.ratio} = ${r.value.toFixed(2)}×`).join('\n');
}
