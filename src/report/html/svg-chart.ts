// A small SVG line chart drawn by our own code (no library, no network at view time):
// linear axes with "nice" ticks, one polyline per series, a legend. Used for latency CDFs,
// sweep curves and trends. All labels are escaped.
import { escapeHtml, formatNumber } from './escape.js';

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  /** Draw markers on the points (few points: trends, sweeps). */
  markers?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Category labels for x = 0, 1, 2 … (trend charts) instead of numeric ticks. */
  xCategories?: readonly string[];
  yFromZero?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];

/** About `count` round tick values covering [lo, hi] (1, 2, 2.5 or 5 × a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function extent(values: number[], fromZero: boolean): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (fromZero) lo = Math.min(0, lo);
  if (hi === lo) {
    hi = lo === 0 ? 1 : hi + Math.abs(hi) * 0.1;
    lo = fromZero ? lo : lo - Math.abs(lo) * 0.1;
  }
  // A little headroom so the highest point does not sit on the frame.
  return [lo, hi + (hi - lo) * 0.04];
}

/** A tick value without trailing zeros (ticks are round numbers already). */
function tickLabel(t: number): string {
  return String(Number(t.toPrecision(6)));
}

/** The chart as an inline <svg> element; a short note instead when no series has points. */
export function lineChart(spec: LineChartSpec): string {
  const series = spec.series.filter((s) => s.points.length > 0);
  if (series.length === 0) return `<p class="note">${escapeHtml(spec.title)}: no data.</p>`;
  const width = spec.width ?? 560;
  const height = spec.height ?? 300;
  const m = { left: 64, right: 16, top: 28, bottom: 48 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = spec.xCategories ? [0, Math.max(1, spec.xCategories.length - 1)] : extent(xs, false);
  const [y0, y1] = extent(ys, spec.yFromZero ?? false);
  const yTicks = niceTicks(y0, y1);
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number) => m.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const f = (v: number) => v.toFixed(2);

  const parts: string[] = [
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
    `<title>${escapeHtml(spec.title)}</title>`,
    `<text class="chart-title" x="${m.left}" y="16">${escapeHtml(spec.title)}</text>`,
    `<rect class="plot" x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}"/>`,
  ];
  for (const t of yTicks) {
    if (t < y0 || t > y1) continue;
    parts.push(`<line class="grid" x1="${m.left}" x2="${m.left + plotW}" y1="${f(sy(t))}" y2="${f(sy(t))}"/>`);
    parts.push(`<text class="tick" x="${m.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end">${escapeHtml(tickLabel(t))}</text>`);
  }
  const xTicks = spec.xCategories ? spec.xCategories.map((label, i) => [i, label] as const) : niceTicks(x0, x1).map((t) => [t, tickLabel(t)] as const);
  const every = Math.max(1, Math.ceil(xTicks.length / 10));
  xTicks.forEach(([t, label], i) => {
    if (t < x0 || t > x1 || i % every !== 0) return;
    const anchor = spec.xCategories && xTicks.length > 1 ? (i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle') : 'middle';
    parts.push(`<text class="tick" x="${f(sx(t))}" y="${m.top + plotH + 16}" text-anchor="${anchor}">${escapeHtml(label)}</text>`);
  });
  parts.push(`<text class="axis-label" x="${m.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ');
    parts.push(`<polyline class="series" data-series="${escapeHtml(s.name)}" fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    if (s.markers) for (const [x, y] of s.points) parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3" fill="${color}"><title>${escapeHtml(`${s.name}: ${formatNumber(y)}`)}</title></circle>`);
    const ly = m.top + 14 + i * 16;
    parts.push(`<rect x="${m.left + plotW - 150}" y="${ly - 9}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text class="legend" x="${m.left + plotW - 135}" y="${ly}">${escapeHtml(s.name.slice(0, 24))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Empirical CDF points of the values: (value, fraction ≤ value), at most ~400 points. */
export function cdfPoints(values: readonly number[]): Array<[number, number]> {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  const n = sorted.length;
  const stride = Math.max(1, Math.floor(n / 400));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i += stride) out.push([sorted[i], (i + 1) / n]);
  if (n > 0 && out[out.length - 1][1] !== 1) out.push([sorted[n - 1], 1]);
  return out;
}
