// The gate's Markdown report, used for the sticky PR comment and the job summary: the
// headline verdict, the baseline's provenance, one table per scenario, then collapsible
// details, a chart and (with 2 or more stored runs) a collapsed trend. Everything a user or
// a server controls is escaped (escape.ts), and the whole stays under GitHub's comment
// limit, shedding details (trends included) before tables (truncate.ts).
import { markdownTable } from 'markdown-table';
import type { Comparison, GateDecision, LimitCheck, OverallVerdict, Verdict } from '../gate/types.js';
import { failsLimit } from '../gate/client-trust.js';
import type { RunResult, ScenarioResult } from '../types.js';
import { latencyChart } from './chart.js';
import { sweepChartMarkdown } from './sweep-chart.js';
import { escapeText } from './escape.js';
import { formatAge, formatCount, formatFraction, formatMetricValue, formatMs, formatPercent, formatPoints } from './format.js';
import { importInfo } from './import/common.js';
import { trendMarkdown } from './trend.js';
import { assembleWithinCap } from './truncate.js';
import type { ScenarioSection } from './truncate.js';

export { renderResultsTable } from './results-table.js';

export interface ReportOptions {
  title?: string;
  /** A hidden HTML comment that marks the sticky comment, e.g. 'llm-perf-gate'. */
  marker?: string;
  /** Default 65000 (GitHub's comment limit is 65,536). */
  maxChars?: number;
  runUrl?: string;
  baselineUrl?: string;
  /** "Now" for the baseline's age; default: the current run's start. */
  now?: Date;
}

export const DEFAULT_MAX_CHARS = 65000;

const OVERALL: Record<OverallVerdict, string> = {
  pass: '✅ pass',
  regression: '❌ regression',
  inconclusive: '⚠️ inconclusive',
  'no-baseline': 'ℹ️ no baseline',
  error: '💥 error: the run failed',
};

const VERDICT: Record<Verdict, string> = {
  regression: '❌ regression',
  improvement: '✅ improvement',
  inconclusive: '⚠️ inconclusive',
  unchanged: '~',
};

function metricLabel(metric: string, statistic: string): string {
  return statistic === 'value' ? metric : `${metric} ${statistic}`;
}

function safeUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.toString().replace(/[()<>\s"']/g, encodeURIComponent);
  } catch {
    return null;
  }
}

function formatChange(c: Comparison, v: number | null): string {
  return c.metric === 'error_rate' ? formatPoints(v) : formatPercent(v);
}

function comparisonRow(c: Comparison): string[] {
  const interval = c.interval ? `${formatChange(c, c.interval[0])} … ${formatChange(c, c.interval[1])}` : '—';
  const threshold = c.metric === 'error_rate' ? `+${(100 * c.threshold).toFixed(2)} pp` : `${c.higherIsBetter ? '−' : '+'}${(100 * c.threshold).toFixed(1)} %`;
  const verdict = VERDICT[c.verdict] + (c.note ? ` — ${escapeText(c.note, 300)}` : '');
  return [
    metricLabel(c.metric, c.statistic),
    formatMetricValue(c.metric, c.baseline),
    formatMetricValue(c.metric, c.current),
    formatChange(c, c.change),
    interval,
    threshold,
    verdict,
  ];
}

function limitRow(l: LimitCheck): string[] {
  return [metricLabel(l.metric, l.statistic), escapeText(l.limit), formatMetricValue(l.metric, l.value), !l.breached ? '✅ within' : l.untrusted ? `⚠️ breached (${l.reason}), but the load generator fell behind: inconclusive` : `❌ breached (${l.reason})`];
}

function scenarioTable(comparisons: Comparison[], limits: LimitCheck[]): string {
  const parts: string[] = [];
  if (comparisons.length) {
    parts.push(markdownTable([['metric', 'baseline', 'current', 'change', 'interval', 'threshold', 'verdict'], ...comparisons.map(comparisonRow)], { alignDelimiters: false }));
  }
  const breached = limits.filter((l) => l.breached);
  if (breached.length) parts.push(markdownTable([['limit', 'bound', 'current', 'verdict'], ...breached.map(limitRow)], { alignDelimiters: false }));
  if (!parts.length) parts.push(limits.length ? `All ${limits.length} limits hold; nothing to compare with.` : 'Nothing to compare with.');
  return parts.join('\n\n');
}

function scenarioVerdict(comparisons: Comparison[], limits: LimitCheck[]): Verdict | 'none' {
  if (comparisons.some((c) => c.verdict === 'regression') || limits.some(failsLimit)) return 'regression';
  if (comparisons.some((c) => c.verdict === 'inconclusive') || limits.some((l) => l.breached)) return 'inconclusive';
  if (comparisons.some((c) => c.verdict === 'improvement')) return 'improvement';
  return comparisons.length ? 'unchanged' : 'none';
}

const PERCENTILE_KEYS = ['ttft_ms', 'tpot_ms', 'itl_ms', 'itl_per_token_ms', 'e2e_ms', 'output_latency_ms'] as const;

function percentilesTable(current: ScenarioResult, baseline: ScenarioResult | undefined): string {
  const rows: string[][] = [['metric', 'run', 'p50', 'p90', 'p95', 'p99', 'mean', 'max', 'count']];
  for (const key of PERCENTILE_KEYS) {
    // Per-token ITL only where chunks held several tokens (else it equals itl_ms).
    if (key === 'itl_per_token_ms' && !current.metrics[key] && !baseline?.metrics[key]) continue;
    for (const [label, s] of [['baseline', baseline], ['current', current]] as const) {
      if (!s) continue;
      const d = s.metrics[key];
      // Absent from our own run: no sample (count 0). Absent from an imported file: not given.
      const none = importInfo(s)?.missing.includes(key) ? '—' : '0';
      rows.push([key, label, ...(d ? [formatMs(d.p50), formatMs(d.p90), formatMs(d.p95), formatMs(d.p99), formatMs(d.mean), formatMs(d.max), formatCount(d.count)] : ['—', '—', '—', '—', '—', '—', none])]);
    }
  }
  return markdownTable(rows, { alignDelimiters: false });
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Throughputs, and with SLOs set the goodputs and attainment (the CLI table shows goodput too). */
function throughputLine(m: ScenarioResult['metrics']): string {
  const parts = [formatMetricValue('request_throughput_rps', m.request_throughput_rps), `output ${formatMetricValue('output_token_throughput_tps', m.output_token_throughput_tps)}`];
  if (isNumber(m.goodput_rps)) parts.push(`goodput ${formatMetricValue('goodput_rps', m.goodput_rps)}`);
  if (isNumber(m.token_goodput_tps)) parts.push(`token goodput ${formatMetricValue('token_goodput_tps', m.token_goodput_tps)}`);
  if (isNumber(m.slo_attainment)) parts.push(`SLO attainment ${formatFraction(m.slo_attainment)}`);
  return `Throughput: ${parts.join(', ')}; ${formatCount(m.completed)} ok, ${formatCount(m.failed)} failed.`;
}

const MAX_WORKLOAD_NOTES = 5;

/** What the workload stage said (approximate lengths, skipped rows, a /tokenize mismatch); null when nothing. */
function workloadLine(s: ScenarioResult): string | null {
  const notes = (s.workloadNotes ?? []).filter((n) => typeof n === 'string' && n.trim() !== '');
  if (!notes.length) return null;
  const shown = notes.slice(0, MAX_WORKLOAD_NOTES).map((n) => escapeText(n, 300));
  const more = notes.length - shown.length;
  return `Workload: ${shown.join('; ')}${more > 0 ? `; … and ${more} more (see the results file)` : ''}.`;
}

/** Runs in the collapsed trend: this run and up to 9 stored ones (the comment stays short). */
const TREND_RUNS = 10;

/** The headline metrics over the stored history and this run, collapsed; null with fewer than 2 stored runs of the scenario. */
function trendBlock(s: ScenarioResult, current: RunResult, baselines: RunResult[]): string | null {
  const stored = baselines.filter((b) => b.scenarios.some((x) => x.name === s.name)).length;
  if (stored < 2) return null;
  const trend = trendMarkdown([current, ...baselines], { scenario: s.name, last: TREND_RUNS, newestLabel: 'current' });
  return [`<details><summary>Trend: ${escapeText(s.name, 100)}</summary>`, '', trend.trimEnd(), '', '</details>'].join('\n');
}

function detailsBlock(current: ScenarioResult, baseline: ScenarioResult | undefined, limits: LimitCheck[], result: RunResult): string {
  const m = current.metrics;
  const errors = Object.entries(m.errors_by_kind).filter(([, n]) => (n ?? 0) > 0);
  const messages = [...new Set(current.requests.filter((r) => r.error).map((r) => r.error?.message ?? ''))].slice(0, 5);
  const sources = Object.entries(m.token_sources).map(([k, n]) => `${escapeText(k)}: ${formatCount(n)}`);
  const health = current.clientHealth ?? result.clientHealth;
  const workload = workloadLine(current);
  const lines = [
    `<details><summary>Details: ${escapeText(current.name)}</summary>`,
    '',
    percentilesTable(current, baseline),
    '',
    throughputLine(m),
    '',
    `Errors: ${errors.length ? errors.map(([k, n]) => `${escapeText(k)} ${formatCount(n)}`).join(', ') : 'none'}.` +
      (messages.length ? ` First messages: ${messages.map((x) => `“${escapeText(x, 160)}”`).join('; ')}.` : ''),
    '',
    `Token counts from: ${sources.length ? sources.join(', ') : 'none'}${m.max_chunk_tokens && m.max_chunk_tokens > 1 ? `; up to ${m.max_chunk_tokens} tokens per chunk (an ITL gap may span several tokens)` : ''}.`,
    '',
    ...(workload ? [workload, ''] : []),
    `Client health: schedule slip p99 ${formatMs(health.scheduleSlipMs.p99)}, event-loop delay p99 ${formatMs(health.eventLoopDelayMs.p99)}${health.trustworthy ? '' : ` — not trustworthy: ${escapeText(health.reasons.join('; '), 300)}`}.`,
  ];
  if (limits.length) lines.push('', markdownTable([['limit', 'bound', 'current', 'verdict'], ...limits.map(limitRow)], { alignDelimiters: false }));
  lines.push('', '</details>');
  return lines.join('\n');
}

function provenance(decision: GateDecision, opts: ReportOptions, current: RunResult): string {
  const b = decision.baseline;
  if (!b) return '**Baseline:** none — absolute limits only.';
  const parts: string[] = [];
  if (b.commit) parts.push(`commit \`${escapeText(b.commit.slice(0, 12), 12)}\``);
  if (b.ref) parts.push(`ref ${escapeText(b.ref, 100)}`);
  if (b.startedAt) {
    const age = formatAge(b.startedAt, opts.now ?? new Date(current.startedAt));
    parts.push(`${escapeText(b.startedAt, 40)}${age ? ` (${age} before this run)` : ''}`);
  }
  parts.push(`${b.runs} run${b.runs === 1 ? '' : 's'} of history`);
  const url = safeUrl(opts.baselineUrl ?? b.url);
  if (url) parts.push(`[baseline run](${url})`);
  return `**Baseline:** ${parts.join(' · ')}`;
}

function fingerprints(decision: GateDecision): string | null {
  if (!decision.fingerprintDiffs.length) return null;
  const rows = decision.fingerprintDiffs.map((d) => [escapeText(d.field, 120), escapeText(d.baseline, 120), escapeText(d.current, 120), d.blocking ? 'not comparable' : 'compared']);
  return ['<details><summary>What differs from the baseline</summary>', '', markdownTable([['field', 'baseline', 'current', 'effect'], ...rows], { alignDelimiters: false }), '', '</details>'].join('\n');
}

export function renderMarkdownReport(decision: GateDecision, current: RunResult, baselines: RunResult[], opts: ReportOptions = {}): string {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const head: string[] = [];
  if (opts.marker) head.push(`<!-- ${opts.marker.replace(/--+/g, '-').replace(/[<>]/g, '')} -->`);
  head.push(`## ${escapeText(opts.title ?? 'llm-perf-gate', 100)}: ${OVERALL[decision.verdict]}`, '');
  const model = `model ${escapeText(current.target.model, 100)}${current.target.engine ? ` on ${escapeText(current.target.engine, 60)}${current.target.engineVersion ? ` ${escapeText(current.target.engineVersion, 40)}` : ''}` : ''}`;
  head.push(`${model} · ${current.scenarios.length} scenario${current.scenarios.length === 1 ? '' : 's'}${current.environment.commit ? ` · commit \`${escapeText(current.environment.commit.slice(0, 12), 12)}\`` : ''}`);
  head.push('', provenance(decision, opts, current));
  const reasons = decision.reasons.map((r) => `- ${escapeText(r, 400)}`);
  const newestBaseline = baselines[0];
  const sections: ScenarioSection[] = current.scenarios.map((s) => {
    const comparisons = decision.comparisons.filter((c) => c.scenario === s.name);
    const limits = decision.limits.filter((l) => l.scenario === s.name);
    const verdict = scenarioVerdict(comparisons, limits);
    const base = newestBaseline?.scenarios.find((b) => b.name === s.name);
    const worst = comparisons.filter((c) => c.verdict === 'regression' || c.verdict === 'inconclusive').map((c) => `${metricLabel(c.metric, c.statistic)} ${formatChange(c, c.change)}`);
    const badge = verdict === 'none' ? 'no comparison' : VERDICT[verdict];
    const chart = latencyChart(s, base);
    const trend = trendBlock(s, current, baselines);
    return {
      severity: verdict === 'regression' ? 3 : verdict === 'inconclusive' ? 2 : verdict === 'improvement' ? 1 : 0,
      headline: `- **${escapeText(s.name, 100)}**: ${badge}${worst.length ? ` (${worst.slice(0, 3).join(', ')})` : ''}`,
      table: `### ${escapeText(s.name, 100)}: ${badge}\n\n${scenarioTable(comparisons, limits)}`,
      details: [detailsBlock(s, base, limits, current), chart, trend].filter(Boolean).join('\n\n'),
    };
  });
  const tail: string[] = [];
  const sweeps = sweepChartMarkdown(current.scenarios);
  if (sweeps) tail.push(sweeps);
  const fp = fingerprints(decision);
  if (fp) tail.push(fp);
  const runUrl = safeUrl(opts.runUrl);
  tail.push(
    `<sub>Change = (current − baseline) / baseline (error rate: percentage points); the interval's lower end is Holm-adjusted across all ${decision.comparisons.length} comparisons. ~ = no change beyond noise. Method: docs/statistics.md.${runUrl ? ` [This run](${runUrl}).` : ''}</sub>`,
  );
  return assembleWithinCap({ head: head.join('\n'), reasons, sections, tail, maxChars });
}
