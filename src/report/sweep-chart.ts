// Mermaid charts of a sweep (or SLO search, or stages): latency percentiles and throughput /
// goodput against the offered load, one pair per multi-step scenario, each with a small
// table of the same numbers (mermaid's xychart has no legend, and tables read everywhere).
// Pure text; the report decides where it goes.
import type { ScenarioResult } from '../types.js';
import { formatValue, stepInfoOf, type StepInfo } from '../load/steps.js';

interface Point {
  label: string;
  sortKey: number;
  result: ScenarioResult;
}

function pointOf(result: ScenarioResult, info: StepInfo): Point {
  const { rate, concurrency } = info.offered;
  if (info.kind === 'synchronous' || info.kind === 'throughput') {
    // Calibration steps are closed loops: place them at the rate they achieved.
    const achieved = result.metrics.request_throughput_rps;
    return { label: `${info.kind === 'synchronous' ? 'sync' : 'max'} ${formatValue(Number(achieved.toFixed(2)))}`, sortKey: achieved, result };
  }
  if (rate !== undefined) return { label: formatValue(Number(rate.toFixed(2))), sortKey: rate, result };
  return { label: `c=${concurrency ?? '?'}`, sortKey: concurrency ?? 0, result };
}

/** Steps grouped by the scenario they belong to, in offered-load order; only groups of two or more. */
export function sweepGroups(results: readonly ScenarioResult[]): Map<string, Point[]> {
  const groups = new Map<string, Point[]>();
  for (const r of results) {
    const info = stepInfoOf(r);
    if (!info) continue;
    const list = groups.get(info.of) ?? [];
    list.push(pointOf(r, info));
    groups.set(info.of, list);
  }
  for (const [name, list] of groups) {
    if (list.length < 2) groups.delete(name);
    else list.sort((a, b) => a.sortKey - b.sortKey);
  }
  return groups;
}

const round = (x: number): string => String(Math.round(x * 100) / 100);
const quote = (s: string): string => `"${s.replace(/"/g, "'")}"`;

function series(points: Point[], pick: (r: ScenarioResult) => number | null | undefined): string {
  return `[${points.map((p) => round(pick(p.result) ?? 0)).join(', ')}]`;
}

function chartFor(name: string, points: Point[]): string {
  const xAxis = `x-axis ${quote('offered load (req/s, or c = users)')} [${points.map((p) => quote(p.label)).join(', ')}]`;
  const hasGoodput = points.some((p) => p.result.metrics.goodput_rps !== null && p.result.metrics.goodput_rps !== undefined);
  const latency = [
    '```mermaid',
    'xychart-beta',
    `  title ${quote(`${name}: TTFT p50 / p90 / p99 (ms)`)}`,
    `  ${xAxis}`,
    `  y-axis ${quote('ms')}`,
    `  line ${series(points, (r) => r.metrics.ttft_ms?.p50)}`,
    `  line ${series(points, (r) => r.metrics.ttft_ms?.p90)}`,
    `  line ${series(points, (r) => r.metrics.ttft_ms?.p99)}`,
    '```',
  ];
  const throughput = [
    '```mermaid',
    'xychart-beta',
    `  title ${quote(`${name}: throughput${hasGoodput ? ' (bars) and goodput (line)' : ''} (req/s)`)}`,
    `  ${xAxis}`,
    `  y-axis ${quote('req/s')}`,
    `  bar ${series(points, (r) => r.metrics.request_throughput_rps)}`,
    ...(hasGoodput ? [`  line ${series(points, (r) => r.metrics.goodput_rps)}`] : []),
    '```',
  ];
  const header = '| offered | achieved req/s | throughput req/s | goodput req/s | TTFT p50 | TTFT p90 | TTFT p99 | TPOT p90 | errors |';
  const rows = points.map((p) => {
    const m = p.result.metrics;
    const ms = (x: number | undefined) => (x === undefined ? '–' : `${round(x)} ms`);
    return `| ${p.label} | ${m.achieved_rate_rps !== undefined ? round(m.achieved_rate_rps) : '–'} | ${round(m.request_throughput_rps)} | ${
      m.goodput_rps === null || m.goodput_rps === undefined ? '–' : round(m.goodput_rps)
    } | ${ms(m.ttft_ms?.p50)} | ${ms(m.ttft_ms?.p90)} | ${ms(m.ttft_ms?.p99)} | ${ms(m.tpot_ms?.p90)} | ${(m.error_rate * 100).toFixed(1)} % |`;
  });
  return [`#### Sweep: ${name}`, '', ...latency, '', ...throughput, '', header, '| --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** Markdown with mermaid charts for every multi-step scenario of the run; '' when there is none. */
export function sweepChartMarkdown(results: readonly ScenarioResult[]): string {
  return [...sweepGroups(results)].map(([name, points]) => chartFor(name, points)).join('\n\n');
}
