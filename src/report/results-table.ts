// The plain per-scenario results table `run` prints to the terminal: latency percentiles,
// throughputs and errors, aligned in columns (no Markdown, no colour codes).
import type { Distribution, RunResult, ScenarioResult } from '../types.js';
import { plainText } from './escape.js';
import { formatNumber } from './format.js';

const LATENCIES: [key: 'ttft_ms' | 'tpot_ms' | 'itl_ms' | 'e2e_ms', label: string][] = [
  ['ttft_ms', 'TTFT'],
  ['tpot_ms', 'TPOT'],
  ['itl_ms', 'ITL'],
  ['e2e_ms', 'E2E'],
];

function cell(d: Distribution | null, stat: keyof Distribution): string {
  return d ? d[stat].toFixed(1) : '—';
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ').trimEnd());
}

/** One scenario's block: a header line, the latency table, and the run-level numbers. */
function scenarioBlock(s: ScenarioResult): string[] {
  const m = s.metrics;
  const name = plainText(s.name);
  const lines = [`scenario ${name}`];
  const rows: string[][] = [['latency (ms)', 'p50', 'p90', 'p99', 'mean', 'max', 'count']];
  for (const [key, label] of LATENCIES) {
    const d = m[key];
    rows.push([`  ${label}`, cell(d, 'p50'), cell(d, 'p90'), cell(d, 'p99'), cell(d, 'mean'), cell(d, 'max'), d ? String(d.count) : '0']);
  }
  lines.push(...pad(rows));
  const total = m.completed + m.failed;
  const kinds = Object.entries(m.errors_by_kind)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const sources = Object.entries(m.token_sources)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(
    `  requests: ${m.completed} ok, ${m.failed} failed of ${total} (error rate ${(100 * m.error_rate).toFixed(2)} %)${kinds ? ` — ${kinds}` : ''}`,
    `  throughput: ${formatNumber(m.request_throughput_rps, 'req/s')}, output ${formatNumber(m.output_token_throughput_tps, 'tok/s')}, total ${formatNumber(m.total_token_throughput_tps, 'tok/s')}` +
      (m.goodput_rps !== null ? `, goodput ${formatNumber(m.goodput_rps, 'req/s')}` : ''),
    `  window: ${formatNumber(m.duration_s, 's')}; token counts: ${sources || 'none'}`,
  );
  return lines;
}

export function renderResultsTable(result: RunResult): string {
  const lines: string[] = [];
  for (const s of result.scenarios) lines.push(...scenarioBlock(s), '');
  const h = result.clientHealth;
  lines.push(
    `client: schedule slip p99 ${h.scheduleSlipMs.p99.toFixed(1)} ms, event-loop delay p99 ${h.eventLoopDelayMs.p99.toFixed(1)} ms` +
      (h.trustworthy ? '' : ` — NOT trustworthy: ${plainText(h.reasons.join('; '))}`),
  );
  return lines.join('\n');
}
