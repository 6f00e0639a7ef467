// A mermaid `xychart-beta` of a scenario's TTFT and TPOT percentiles: bars for the baseline,
// a line for the current run (xychart-beta has no legend, so the title says which is which).
// Only fixed identifiers and numbers go into the chart, never a user's string.
import type { ScenarioResult } from '../types.js';

const POINTS: [metric: 'ttft_ms' | 'tpot_ms', stat: 'p50' | 'p90' | 'p99', label: string][] = [
  ['ttft_ms', 'p50', 'TTFT_p50'],
  ['ttft_ms', 'p90', 'TTFT_p90'],
  ['ttft_ms', 'p99', 'TTFT_p99'],
  ['tpot_ms', 'p50', 'TPOT_p50'],
  ['tpot_ms', 'p90', 'TPOT_p90'],
  ['tpot_ms', 'p99', 'TPOT_p99'],
];

function series(s: ScenarioResult): number[] | null {
  const out: number[] = [];
  for (const [metric, stat] of POINTS) {
    const d = s.metrics[metric];
    if (!d || !Number.isFinite(d[stat])) return null;
    out.push(Math.round(d[stat] * 10) / 10);
  }
  return out;
}

/** The fenced mermaid block, or null when the run lacks TTFT or TPOT. */
export function latencyChart(current: ScenarioResult, baseline: ScenarioResult | undefined): string | null {
  const cur = series(current);
  if (!cur) return null;
  const base = baseline ? series(baseline) : null;
  const top = Math.max(...cur, ...(base ?? [])) * 1.1;
  const yMax = top > 0 ? Math.ceil(top) : 1;
  const title = base ? 'Latency percentiles (ms): bars baseline, line current' : 'Latency percentiles (ms), current run';
  const lines = [
    '```mermaid',
    'xychart-beta',
    `    title "${title}"`,
    `    x-axis [${POINTS.map((p) => p[2]).join(', ')}]`,
    `    y-axis "ms" 0 --> ${yMax}`,
  ];
  if (base) lines.push(`    bar [${base.join(', ')}]`, `    line [${cur.join(', ')}]`);
  else lines.push(`    bar [${cur.join(', ')}]`);
  lines.push('```');
  return lines.join('\n');
}
