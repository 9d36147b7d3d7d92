/** One line of a time-series panel: [unix seconds, value] points. */
export interface PanelSeries {
  label: string;
  points: Array<[number, number]>;
}

/** One dashboard panel to draw. */
export interface PanelData {
  title: string;
  unit: 'seconds' | 'ratio' | 'count';
  series: PanelSeries[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const PANEL_W = 520;
const PANEL_H = 260;
const M = { left: 62, right: 14, top: 34, bottom: 58 };

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const round = (value: number) => (value === 0 ? '0' : value >= 10 ? value.toFixed(0) : value.toFixed(1));

function formatValue(value: number, unit: PanelData['unit']): string {
  if (unit === 'ratio') return `${(value * 100).toFixed(0)} %`;
  if (unit === 'seconds') return value >= 1 ? `${round(value)} s` : `${round(value * 1000)} ms`;
  return round(value);
}

function panelSvg(panel: PanelData, ox: number, oy: number): string[] {
  const series = panel.series.filter((s) => s.points.some(([, v]) => Number.isFinite(v)));
  const finite = series.flatMap((s) => s.points.filter(([, v]) => Number.isFinite(v)));
  const t0 = Math.min(...finite.map(([t]) => t));
  const t1 = Math.max(...finite.map(([t]) => t));
  const vMax = panel.unit === 'ratio' ? 1 : Math.max(...finite.map(([, v]) => v)) * 1.1 || 1;
  const w = PANEL_W - M.left - M.right;
  const h = PANEL_H - M.top - M.bottom;
  const x = (t: number) => ox + M.left + ((t - t0) / Math.max(t1 - t0, 1)) * w;
  const y = (v: number) => oy + M.top + (1 - v / vMax) * h;
  const out = [
    `<rect x="${ox + 4}" y="${oy + 4}" width="${PANEL_W - 8}" height="${PANEL_H - 8}" fill="#fff" stroke="#ccc" rx="4"/>`,
    `<text x="${ox + 14}" y="${oy + 22}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
  ];
  for (const share of [0, 0.5, 1]) {
    const py = y(share * vMax).toFixed(1);
    out.push(
      `<line x1="${ox + M.left}" y1="${py}" x2="${ox + M.left + w}" y2="${py}" stroke="#eee"/>`,
      `<text x="${ox + M.left - 6}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#555">${formatValue(share * vMax, panel.unit)}</text>`,
    );
  }
  out.push(
    `<text x="${ox + M.left}" y="${oy + M.top + h + 14}" fill="#555">0 s</text>`,
    `<text x="${ox + M.left + w}" y="${oy + M.top + h + 14}" text-anchor="end" fill="#555">${Math.round(t1 - t0)} s</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v], k) => `${k === 0 ? 'M' : 'L'}${x(t).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    const lx = ox + M.left + (i % 3) * 150;
    const ly = oy + M.top + h + 30 + Math.floor(i / 3) * 14;
    out.push(
      `<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${color}"/>`,
      `<text x="${lx + 14}" y="${ly - 3}" font-size="11">${escapeXml(s.label.slice(0, 22))}</text>`,
    );
  });
  if (series.length === 0)
    out.push(`<text x="${ox + PANEL_W / 2}" y="${oy + PANEL_H / 2}" text-anchor="middle">no data</text>`);
  return out;
}

/** Panels in a two-column grid as one standalone SVG, titled `title`. */
export function dashboardSvg(title: string, panels: PanelData[]): string {
  const rows = Math.ceil(panels.length / 2);
  const width = PANEL_W * 2;
  const height = 40 + rows * PANEL_H;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#f4f5f7"/>`,
    `<text x="14" y="26" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  panels.forEach((p, i) => {
    out.push(...panelSvg(p, (i % 2) * PANEL_W, 40 + Math.floor(i / 2) * PANEL_H));
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
