// The trend of the headline metrics over the last N stored runs (the branch store's history,
// newest first): one mermaid `xychart-beta` line chart per metric (units differ, and an
// xychart has one y axis), oldest run on the left, and a markdown table of the same numbers.
import type { RunResult, ScenarioResult } from '../types.js';
import { escapeText } from './escape.js';
import { hasStatistic } from './import/common.js';

export interface HeadlineMetric {
  /** `key.statistic` for distributions, `key` for run-level numbers. */
  id: string;
  label: string;
  unit: string;
}

export const HEADLINE_METRICS: readonly HeadlineMetric[] = [
  { id: 'ttft_ms.p90', label: 'TTFT p90', unit: 'ms' },
  { id: 'tpot_ms.p50', label: 'TPOT p50', unit: 'ms' },
  { id: 'output_token_throughput_tps', label: 'output throughput', unit: 'tok/s' },
];

export interface TrendOptions {
  /** Runs to show (newest N); default 20. */
  last?: number;
  /** Scenario to follow; default the newest run's first scenario. */
  scenario?: string;
  /** Label of the newest run instead of its commit, e.g. 'current' when it is the run under review. */
  newestLabel?: string;
}

export interface TrendPoint {
  label: string;
  startedAt: string;
  values: Record<string, number | null>;
}

/** The value of a headline metric in a scenario, or null when absent (an imported run may lack it). */
export function headlineValue(s: ScenarioResult, id: string): number | null {
  const [key, stat] = id.split('.') as [string, string | undefined];
  const m = s.metrics as unknown as Record<string, unknown>;
  if (stat === undefined) {
    const v = m[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  const d = m[key] as Parameters<typeof hasStatistic>[0];
  return d && hasStatistic(d, stat as 'p50') ? (d as unknown as Record<string, number>)[stat] : null;
}

/** A run's short label: its commit (7 characters), else its date. */
export function runLabel(run: RunResult): string {
  const commit = run.environment.commit;
  if (commit) return commit.slice(0, 7);
  return run.startedAt.slice(0, 16).replace('T', ' ');
}

/** The points of the trend, oldest first. */
export function trendPoints(history: readonly RunResult[], opts: TrendOptions = {}): { scenario: string | null; points: TrendPoint[] } {
  const last = Math.max(1, Math.floor(opts.last ?? 20));
  const scenario = opts.scenario ?? history[0]?.scenarios[0]?.name ?? null;
  const runs = history.slice(0, last).reverse();
  const points: TrendPoint[] = [];
  for (const [i, run] of runs.entries()) {
    const s = run.scenarios.find((x) => x.name === scenario);
    if (!s) continue;
    const values: Record<string, number | null> = {};
    for (const h of HEADLINE_METRICS) values[h.id] = headlineValue(s, h.id);
    const label = i === runs.length - 1 && opts.newestLabel ? opts.newestLabel : runLabel(run);
    points.push({ label, startedAt: run.startedAt, values });
  }
  return { scenario, points };
}

/** Text safe inside a mermaid quoted label: no quotes, brackets, backticks or line breaks. */
export function mermaidLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._:/#+-]/g, '_').slice(0, 40);
}

/**
 * Text safe inside a markdown table cell (no pipes, no markup, no line breaks, no @mention):
 * the trend also goes into the PR comment, so it is escaped as the comment's other text is.
 */
export function markdownCell(text: string): string {
  return escapeText(text, 100);
}

/** Text safe inside a one-line code span: no backtick to close it, no line break to leave it. */
function codeSpanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[`\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').slice(0, 100);
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000;
}

/** One xychart-beta for one metric; null when fewer than two runs have it. */
function mermaidChart(points: readonly TrendPoint[], metric: HeadlineMetric): string | null {
  const have = points.filter((p) => p.values[metric.id] !== null);
  if (have.length < 2) return null;
  const values = have.map((p) => round(p.values[metric.id] as number));
  const hi = Math.max(...values);
  const top = hi > 0 ? round(hi * 1.15) : 1;
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${mermaidLabel(`${metric.label} (${metric.unit})`)}"`,
    `  x-axis [${have.map((p) => `"${mermaidLabel(p.label)}"`).join(', ')}]`,
    `  y-axis "${mermaidLabel(metric.unit)}" 0 --> ${top}`,
    `  line [${values.join(', ')}]`,
    '```',
  ].join('\n');
}

function formatCell(v: number | null): string {
  return v === null ? '—' : String(round(v));
}

/** Markdown: a heading, one mermaid chart per headline metric, and the table (newest last). */
export function trendMarkdown(history: readonly RunResult[], opts: TrendOptions = {}): string {
  const { scenario, points } = trendPoints(history, opts);
  if (scenario === null || points.length === 0) return '_No stored runs to show a trend of._\n';
  const parts = [`#### Trend of scenario \`${codeSpanText(scenario)}\`, last ${points.length} run(s)`, ''];
  for (const metric of HEADLINE_METRICS) {
    const chart = mermaidChart(points, metric);
    if (chart) parts.push(chart, '');
  }
  const header = ['run', 'started', ...HEADLINE_METRICS.map((m) => `${m.label} (${m.unit})`)];
  parts.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
  for (const p of points) {
    const cells = [markdownCell(p.label), markdownCell(p.startedAt.slice(0, 16).replace('T', ' ')), ...HEADLINE_METRICS.map((m) => formatCell(p.values[m.id]))];
    parts.push(`| ${cells.join(' | ')} |`);
  }
  return `${parts.join('\n')}\n`;
}
