/** One query of one (dataset, system): its first-stage signals and nDCG@10 fused or reranked at a depth. */
export interface Cell {
  signals: Record<string, number | undefined>;
  fusedNdcg: number;
  rerankedNdcg(depth: number): number;
}

/** A (dataset, system) pair's queries. */
export interface SweepInput {
  dataset: string;
  system: string;
  cells: Cell[];
  /** How deep the run reranked: the deepest depth it can show. */
  depth: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Whether AUTO skips the rerank: `score` strictly above, the others at or above (as the server does). */
export function skips(signal: string, value: number | undefined, threshold: number): boolean {
  if (value === undefined) return false;
  return signal === 'score' ? value > threshold : value >= threshold;
}

/** nDCG@10 per depth, a column per (dataset, system), the fused ranking first. */
export function depthTable(inputs: SweepInput[], depths: number[]): string {
  const head = `| depth | ${inputs.map((i) => `${i.dataset} ${i.system}`).join(' | ')} | mean |`;
  const rows = [head, `|---:|${inputs.map(() => '---:|').join('')}---:|`];
  const line = (label: string, pick: (c: Cell) => number) => {
    const xs = inputs.map((i) => mean(i.cells.map(pick)));
    rows.push(`| ${label} | ${xs.map((x) => x.toFixed(3)).join(' | ')} | ${mean(xs).toFixed(3)} |`);
  };
  line('0 (fused)', (c) => c.fusedNdcg);
  for (const d of depths) line(String(d), (c) => c.rerankedNdcg(d));
  return rows.join('\n');
}

/**
 * For each signal and threshold: per (dataset, system) the share of reranks AUTO skips and
 * its nDCG@10 over always reranking at `depth`; then the smallest share and ratio over all
 * of them (a default must hold on every collection and embedder, not on average).
 */
export function earlyExitTable(inputs: SweepInput[], thresholds: Record<string, number[]>, depth: number): string {
  const head = `| signal | threshold | ${inputs.map((i) => `${i.dataset} ${i.system}`).join(' | ')} | min skipped | min ratio |`;
  const rows = [head, `|---|---:|${inputs.map(() => '---:|').join('')}---:|---:|`];
  for (const [signal, list] of Object.entries(thresholds)) {
    for (const t of list) {
      const cells = inputs.map((input) => {
        const skip = input.cells.map((c) => skips(signal, c.signals[signal], t));
        const always = mean(input.cells.map((c) => c.rerankedNdcg(depth)));
        const auto = mean(input.cells.map((c, i) => (skip[i] ? c.fusedNdcg : c.rerankedNdcg(depth))));
        return { skipped: mean(skip.map((s) => (s ? 1 : 0))), ratio: always > 0 ? auto / always : Number.NaN };
      });
      const text = cells.map((c) => `${(c.skipped * 100).toFixed(0)} % / ${c.ratio.toFixed(3)}`);
      const minSkipped = Math.min(...cells.map((c) => c.skipped));
      const minRatio = Math.min(...cells.map((c) => c.ratio));
      rows.push(
        `| ${signal} | ${t} | ${text.join(' | ')} | ${(minSkipped * 100).toFixed(0)} % | ${minRatio.toFixed(3)} |`,
      );
    }
  }
  return rows.join('\n');
}
