// The HTML report's sections as strings: the gate decision, one scenario's summary tables
// and its latency CDFs, sweep curves across scenarios, and trends over the history.
import type { Comparison, LimitCheck } from '../../gate/types.js';
import { DISTRIBUTION_KEYS } from '../../types.js';
import type { RequestRecord, RunResult, ScenarioResult } from '../../types.js';
import { asObject, hasStatistic, importInfo } from '../import/common.js';
import { HEADLINE_METRICS, headlineValue, runLabel } from '../trend.js';
import { escapeHtml, formatNumber } from './escape.js';
import { cdfPoints, lineChart } from './svg-chart.js';
import type { Series } from './svg-chart.js';

const STATS = ['count', 'mean', 'std', 'min', 'p50', 'p90', 'p95', 'p99', 'max'] as const;
// goodput_rps, token_goodput_tps and slo_attainment are '—' when no SLOs are set.
const RUN_LEVEL = [
  'request_throughput_rps', 'output_token_throughput_tps', 'total_token_throughput_tps', 'goodput_rps', 'token_goodput_tps', 'slo_attainment',
  'error_rate', 'completed', 'failed', 'duration_s', 'total_input_tokens', 'total_output_tokens',
] as const;

function table(cls: string, header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  // Cells arrive escaped (they may hold markup of ours, like a verdict badge).
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table class="${cls}"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function pct(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—';
}

/** The gate's decision (typed loosely: any object with a verdict and comparisons). */
export function decisionSection(decision: unknown): string {
  const d = asObject(decision);
  if (!d || typeof d.verdict !== 'string') return '';
  const comparisons = (Array.isArray(d.comparisons) ? d.comparisons : []).map(asObject).filter((c): c is Record<string, unknown> => c !== null) as unknown as Comparison[];
  const limits = (Array.isArray(d.limits) ? d.limits : []).map(asObject).filter((c): c is Record<string, unknown> => c !== null) as unknown as LimitCheck[];
  const reasons = Array.isArray(d.reasons) ? d.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('') : '';
  const rows = comparisons.map((c) => [
    escapeHtml(c.scenario),
    escapeHtml(`${c.metric}${c.statistic && c.statistic !== 'value' ? `.${c.statistic}` : ''}`),
    escapeHtml(formatNumber(c.baseline)),
    escapeHtml(formatNumber(c.current)),
    escapeHtml(pct(c.change)),
    escapeHtml(Array.isArray(c.interval) ? `[${pct(c.interval[0])}, ${pct(c.interval[1])}]` : 'no interval'),
    `<span class="verdict v-${escapeHtml(c.verdict)}">${escapeHtml(c.verdict)}</span>`,
    escapeHtml(c.note ?? ''),
  ]);
  const limitRows = limits.map((l) => [escapeHtml(l.scenario), escapeHtml(`${l.metric}.${l.statistic}`), escapeHtml(l.limit), escapeHtml(formatNumber(l.value)), !l.breached ? 'ok' : l.untrusted ? '<span class="verdict v-inconclusive">breached, untrusted client</span>' : '<span class="verdict v-regression">breached</span>']);
  return [
    `<section id="decision"><h2>Gate decision: <span class="verdict v-${escapeHtml(d.verdict)}">${escapeHtml(d.verdict)}</span></h2>`,
    reasons ? `<ul class="reasons">${reasons}</ul>` : '',
    rows.length ? table('decision', ['scenario', 'metric', 'baseline', 'current', 'change', 'interval', 'verdict', 'note'], rows) : '',
    limitRows.length ? `<h3>Absolute limits</h3>${table('limits', ['scenario', 'metric', 'limit', 'value', 'result'], limitRows)}` : '',
    '</section>',
  ].join('');
}

function summaryTables(s: ScenarioResult): string {
  const distRows = DISTRIBUTION_KEYS.map((key) => {
    const d = s.metrics[key];
    return [escapeHtml(key), ...STATS.map((st) => escapeHtml(d && hasStatistic(d, st) ? formatNumber(d[st]) : '—'))];
  });
  const m = s.metrics as unknown as Record<string, unknown>;
  const runRows = RUN_LEVEL.map((k) => [escapeHtml(k), escapeHtml(k === 'error_rate' || k === 'slo_attainment' ? pct(m[k] as number) : formatNumber(m[k]))]);
  return [
    table('summary', ['metric', ...STATS], distRows),
    table('run-level', ['run-level', 'value'], runRows),
  ].join('');
}

function provenanceNote(s: ScenarioResult): string {
  const info = importInfo(s);
  if (!info) return '';
  const lines = [
    `Imported from ${info.importedFrom}${info.aggregatesOnly ? ': aggregates only (no per-request records, so no intervals)' : ''}.`,
    ...info.notes,
    info.missing.length ? `Not in the source (shown as —): ${info.missing.join(', ')}.` : '',
  ].filter(Boolean);
  return `<div class="provenance">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>`;
}

/** What the workload stage said (approximate lengths, skipped rows, a /tokenize mismatch). */
function workloadNote(s: ScenarioResult): string {
  const notes = (s.workloadNotes ?? []).filter((n) => typeof n === 'string' && n.trim() !== '');
  if (notes.length === 0) return '';
  return `<p class="note workload">Workload: ${notes.map(escapeHtml).join('; ')}.</p>`;
}

type Pick = (r: RequestRecord) => number | null;
const CDF_METRICS: ReadonlyArray<[string, Pick]> = [
  ['TTFT', (r) => r.ttftMs],
  ['TPOT', (r) => (r.ttftMs !== null && r.e2eMs !== null && r.outputTokens !== null && r.outputTokens >= 2 ? (r.e2eMs - r.ttftMs) / (r.outputTokens - 1) : null)],
  ['E2E', (r) => r.e2eMs],
];

function values(s: ScenarioResult | undefined, pick: Pick): number[] {
  if (!s) return [];
  const out: number[] = [];
  for (const r of s.requests) {
    if (r.status !== 'ok') continue;
    const v = pick(r);
    if (v !== null && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** TTFT, TPOT and E2E CDFs of one scenario, with the newest baseline's when it has records. */
function cdfCharts(s: ScenarioResult, baseline: RunResult | undefined): string {
  if (s.requests.length === 0) return '<p class="note">No per-request records: no latency distributions to draw.</p>';
  const base = baseline?.scenarios.find((b) => b.name === s.name);
  const charts = CDF_METRICS.map(([name, pick]) => {
    const series: Series[] = [{ name: 'current', points: cdfPoints(values(s, pick)) }];
    const b = values(base, pick);
    if (b.length > 0) series.push({ name: 'baseline', points: cdfPoints(b) });
    return lineChart({ title: `${name} CDF`, xLabel: `${name} (ms)`, yLabel: 'fraction of requests', series, yFromZero: true });
  });
  return `<div class="charts cdf">${charts.join('')}</div>`;
}

export function scenarioSection(s: ScenarioResult, baseline: RunResult | undefined): string {
  return [
    `<section class="scenario"><h2>Scenario ${escapeHtml(s.name)}</h2>`,
    provenanceNote(s),
    workloadNote(s),
    summaryTables(s),
    cdfCharts(s, baseline),
    '</section>',
  ].join('');
}

/** Latency against request throughput across the run's scenarios (a sweep), when there are ≥ 2. */
export function sweepSection(run: RunResult): string {
  const points = run.scenarios
    .map((s) => ({ x: s.metrics.request_throughput_rps, ttft: headlineValue(s, 'ttft_ms.p90'), tpot: headlineValue(s, 'tpot_ms.p50') }))
    .filter((p) => Number.isFinite(p.x))
    .sort((a, b) => a.x - b.x);
  if (points.length < 2) return '';
  const curve = (pick: (p: (typeof points)[number]) => number | null) =>
    points.flatMap((p) => (pick(p) === null ? [] : [[p.x, pick(p) as number] as const]));
  return [
    '<section id="sweep"><h2>Sweep: latency against throughput</h2><div class="charts">',
    lineChart({ title: 'TTFT p90 vs request throughput', xLabel: 'requests/s', yLabel: 'ms', series: [{ name: 'TTFT p90', points: curve((p) => p.ttft), markers: true }], yFromZero: true }),
    lineChart({ title: 'TPOT p50 vs request throughput', xLabel: 'requests/s', yLabel: 'ms', series: [{ name: 'TPOT p50', points: curve((p) => p.tpot), markers: true }], yFromZero: true }),
    '</div></section>',
  ].join('');
}

/** Headline metrics over the baselines (newest first) and the current run, per scenario of the current run. */
export function trendSection(current: RunResult, baselines: readonly RunResult[]): string {
  if (baselines.length === 0) return '';
  const runs = [...baselines].reverse().concat(current);
  const labels = runs.map((r, i) => (i === runs.length - 1 ? 'current' : runLabel(r)));
  const charts: string[] = [];
  for (const s of current.scenarios) {
    for (const h of HEADLINE_METRICS) {
      const pts: Array<readonly [number, number]> = [];
      runs.forEach((r, i) => {
        const sc = r.scenarios.find((x) => x.name === s.name);
        const v = sc ? headlineValue(sc, h.id) : null;
        if (v !== null) pts.push([i, v]);
      });
      if (pts.length < 2) continue;
      charts.push(lineChart({ title: `${s.name}: ${h.label}`, xLabel: 'run', yLabel: h.unit, series: [{ name: h.label, points: pts, markers: true }], xCategories: labels, yFromZero: true }));
    }
  }
  if (charts.length === 0) return '';
  return `<section id="trend"><h2>Trend over ${runs.length} runs</h2><div class="charts">${charts.join('')}</div></section>`;
}
