/** One line of a latency chart: the 0th…100th percentiles of a series, in ms. */
export interface ChartSeries {
  label: string;
  ladderMs: number[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf', '#7f7f7f'];
const WIDTH = 760;
const HEIGHT = 420;
const MARGIN = { left: 60, right: 190, top: 40, bottom: 50 };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A latency CDF as a standalone SVG: x is latency on a log scale, y the share of calls at or
 * below it, one line per series; dashed guides at p50, p95 and p99.
 */
export function latencyCdfSvg(title: string, series: ChartSeries[]): string {
  const drawn = series.filter((s) => s.ladderMs.length === 101);
  const values = drawn.flatMap((s) => s.ladderMs).filter((v) => v > 0);
  const min = values.length > 0 ? 10 ** Math.floor(Math.log10(Math.min(...values))) : 0.1;
  const max = values.length > 0 ? 10 ** Math.ceil(Math.log10(Math.max(...values))) : 1000;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number) =>
    MARGIN.left + ((Math.log10(Math.max(ms, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * plotW;
  const y = (share: number) => MARGIN.top + (1 - share) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let decade = min; decade <= max * 1.0001; decade *= 10) {
    const px = x(decade).toFixed(1);
    out.push(
      `<line x1="${px}" y1="${MARGIN.top}" x2="${px}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`,
      `<text x="${px}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${decade >= 1 ? decade : decade.toPrecision(1)} ms</text>`,
    );
  }
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${y(share)}" x2="${MARGIN.left + plotW}" y2="${y(share)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(share) + 4}" text-anchor="end">${share * 100}%</text>`,
    );
  }
  for (const [share, label] of [
    [0.5, 'p50'],
    [0.95, 'p95'],
    [0.99, 'p99'],
  ] as const) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${y(share)}" x2="${MARGIN.left + plotW}" y2="${y(share)}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<text x="${MARGIN.left + plotW - 4}" y="${y(share) - 3}" text-anchor="end" fill="#666">${label}</text>`,
    );
  }
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">latency (client side, log scale)</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">share of calls</text>`,
  );
  drawn.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const points = s.ladderMs.map((ms, p) => `${x(ms).toFixed(1)},${y(p / 100).toFixed(1)}`).join(' ');
    const legendY = MARGIN.top + 10 + i * 20;
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>`,
      `<line x1="${WIDTH - MARGIN.right + 14}" y1="${legendY}" x2="${WIDTH - MARGIN.right + 34}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${WIDTH - MARGIN.right + 40}" y="${legendY + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  if (drawn.length === 0) {
    out.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle">no data</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
