// gateRun: the current run against its baseline history → comparisons, limits, verdict.
// The method is in docs/statistics.md; the rules are the Contracts' (DESIGN.md, Verdicts).
import type { RunResult, ScenarioResult } from '../types.js';
import { adviseInconclusive } from './advice.js';
import { selectBaselines } from './baseline-select.js';
import { clientDelays, discountSlowClient, failsLimit, UNTRUSTED_NOTE } from './client-trust.js';
import { compareErrorRates } from './error-rate.js';
import type { RateDifference } from './error-rate.js';
import { holmAdjust, holmLevels } from './holm.js';
import { compareLog } from './log-comparison.js';
import type { LogComparison } from './log-comparison.js';
import { higherIsBetter, noisePrior, statisticValue } from './metric-catalog.js';
import { normalQuantile } from './normal.js';
import { limitHolds, resolveThresholds } from './thresholds.js';
import type { RelativeThreshold } from './thresholds.js';
import { DEFAULT_MIN_SUCCESSFUL, runFailures } from './too-few-successes.js';
import type { Comparison, GateDecision, LimitCheck, OverallVerdict } from './types.js';
import { decideVerdict } from './verdict.js';
import type { VerdictRule } from './verdict.js';
import { withinRunVariance } from './within-run.js';

export interface GateOptions {
  /** Config `thresholds:` (merged over the defaults). */
  thresholds?: Record<string, string>;
  /** 'estimate' (Contracts) or 'strict' (the whole interval beyond the threshold). */
  rule?: VerdictRule;
  allowFingerprintMismatch?: boolean;
  /** Newest matching stored runs per scenario the baseline uses (config gate.history_runs). Default 10. */
  historyRuns?: number;
  /** Run-to-run sd of log(value) per 'metric' or 'metric.statistic', overriding the priors. */
  noise?: Record<string, number>;
  failOn?: 'regression' | 'inconclusive';
  /** Family-wise one-sided false-alarm rate across all gated comparisons. Default 0.05. */
  alpha?: number;
  /** The noise prior's weight in runs when a history estimates the noise. Default 5. */
  priorWeight?: number;
  /** Successful requests a scenario needs to be measured (config `min_successful`). Default 5. */
  minSuccessful?: number;
  bootstrapReplicates?: number;
  /** Seeds the bootstrap; the same inputs and seed give the same decision. */
  seed?: number;
}

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_PRIOR_WEIGHT = 5;

/** A comparison before multiplicity control: its test statistic and what it needs for a verdict. */
interface Pending {
  scenario: ScenarioResult;
  threshold: RelativeThreshold;
  current: number;
  baseline: number;
  log?: LogComparison;
  rate?: RateDifference;
  /** Either side has no per-request records (an imported file): no within-run interval. */
  aggregatesOnly?: boolean;
}

function usable(v: number | null): v is number {
  return v !== null && Number.isFinite(v) && v > 0;
}

export function checkLimits(current: RunResult, opts: ReturnType<typeof resolveThresholds>): LimitCheck[] {
  const checks: LimitCheck[] = [];
  for (const scenario of current.scenarios) {
    for (const limit of opts.limits) {
      const value = statisticValue(scenario, limit.metric, limit.statistic);
      checks.push({
        scenario: scenario.name,
        metric: limit.metric,
        statistic: limit.statistic,
        limit: limit.text,
        value,
        breached: value !== null && !limitHolds(value, limit.op, limit.bound),
        reason: limit.metric === 'error_rate' || limit.metric === 'failed' ? 'errors' : 'slo',
      });
    }
  }
  return checks;
}

/**
 * True when neither side has the statistic at all: a file imported from a tool that does not
 * write it (vLLM's default --save-result has p99 but no p90, and no E2E). That is no evidence
 * either way, so the comparison is left out and listed, instead of an inconclusive that no
 * rerun could ever decide. A statistic only one side lacks stays inconclusive.
 */
function neitherHas(scenario: ScenarioResult, stored: ScenarioResult[], t: RelativeThreshold): boolean {
  if (t.metric === 'error_rate') return false;
  return !usable(statisticValue(scenario, t.metric, t.statistic)) && stored.every((s) => !usable(statisticValue(s, t.metric, t.statistic)));
}

/** A comparison that could not be made (a side lacks the value): inconclusive, saying why. */
export function inconclusiveComparison(scenario: string, t: RelativeThreshold, note: string, current: number | null = null, baseline: number | null = null): Comparison {
  return {
    scenario,
    metric: t.metric,
    statistic: t.statistic,
    baseline,
    current,
    change: null,
    interval: null,
    threshold: t.magnitude,
    verdict: 'inconclusive',
    higherIsBetter: higherIsBetter(t.metric),
    note,
  };
}

function pendingFor(scenario: ScenarioResult, stored: ScenarioResult[], t: RelativeThreshold, opts: GateOptions): Pending | Comparison {
  const up = higherIsBetter(t.metric);
  const missing = (note: string, current: number | null, baseline: number | null): Comparison => inconclusiveComparison(scenario.name, t, note, current, baseline);
  if (t.metric === 'error_rate') {
    const failed = stored.reduce((a, s) => a + s.metrics.failed, 0);
    const total = stored.reduce((a, s) => a + s.metrics.failed + s.metrics.completed, 0);
    const curTotal = scenario.metrics.failed + scenario.metrics.completed;
    const rate = compareErrorRates({ failed: scenario.metrics.failed, total: curTotal }, { failed, total });
    return { scenario, threshold: t, current: scenario.metrics.error_rate, baseline: total > 0 ? failed / total : 0, rate };
  }
  const current = statisticValue(scenario, t.metric, t.statistic);
  const runs = stored.filter((s) => usable(statisticValue(s, t.metric, t.statistic)));
  if (runs.length === 0) return missing('the baseline has no value for this statistic', current, null);
  const baselines = runs.map((s) => statisticValue(s, t.metric, t.statistic) as number);
  if (!usable(current)) return missing('the current run has no value for this statistic', current, null);
  const within = withinRunVariance(scenario, runs, t.metric, t.statistic, { replicates: opts.bootstrapReplicates, seed: opts.seed });
  const log = compareLog({
    current,
    baselines,
    withinVar: within.perRunVar,
    prior: noisePrior(t.metric, t.statistic, opts.noise),
    priorWeight: opts.priorWeight ?? DEFAULT_PRIOR_WEIGHT,
    higherIsBetter: up,
  });
  const aggregatesOnly = scenario.requests.length === 0 || runs.every((s) => s.requests.length === 0);
  return { scenario, threshold: t, current, baseline: log.baselineValue, log, aggregatesOnly };
}

/** Thresholds on the worse-positive scale of a comparison: T, 2T and the improvement side. */
function scaledThresholds(p: Pending): { t: number; t2: number; improve: number } {
  const T = p.threshold.magnitude;
  if (p.rate) return { t: T, t2: 2 * T, improve: T };
  const logOr = (x: number) => (x > 0 ? Math.log(x) : -Infinity);
  if (higherIsBetter(p.threshold.metric)) return { t: -logOr(1 - T), t2: -logOr(1 - 2 * T), improve: Math.log(1 + T) };
  return { t: Math.log(1 + T), t2: Math.log(1 + 2 * T), improve: -logOr(1 - T) };
}

function finish(p: Pending, level: number, pAdjusted: number, alpha: number, rule: VerdictRule): Comparison {
  const zLower = normalQuantile(1 - level);
  const zUpper = normalQuantile(1 - alpha);
  const up = higherIsBetter(p.threshold.metric);
  const m = p.log ? p.log.worse : (p.rate as RateDifference).adjustedDiff;
  const se = p.log ? p.log.se : (p.rate as RateDifference).se;
  const lo = m - zLower * se;
  const hi = m + zUpper * se;
  const th = scaledThresholds(p);
  const verdict = decideVerdict({ m, lo, hi, threshold: th.t, twiceThreshold: th.t2, improvementThreshold: th.improve, rule, canBeInconclusive: !p.rate });
  let change: number;
  let interval: [number, number];
  if (p.rate) {
    change = p.rate.diff;
    interval = [Math.max(-1, lo), Math.min(1, hi)];
  } else {
    change = p.current / p.baseline - 1;
    interval = up ? [Math.exp(-hi) - 1, Math.exp(-lo) - 1] : [Math.exp(lo) - 1, Math.exp(hi) - 1];
  }
  const comparison: Comparison = {
    scenario: p.scenario.name,
    metric: p.threshold.metric,
    statistic: p.threshold.statistic,
    baseline: p.baseline,
    current: p.current,
    change,
    interval,
    threshold: p.threshold.magnitude,
    verdict,
    higherIsBetter: up,
    pAdjusted,
  };
  if (p.aggregatesOnly) {
    comparison.note = 'aggregates only: no per-request records, so the interval rests on the run-to-run noise prior alone';
  }
  if (verdict === 'inconclusive' && p.log) {
    comparison.note = adviseInconclusive({ c: p.log, twiceThreshold: th.t2, zUpper, zLower, requests: p.scenario.metrics.completed + p.scenario.metrics.failed });
  }
  return comparison;
}

/** The Contracts' overall verdict; a limit breach discounted for a slow client counts as inconclusive. */
export function overallVerdict(failures: string[], comparisons: Comparison[], limits: LimitCheck[]): OverallVerdict {
  if (failures.length) return 'error';
  if (comparisons.some((c) => c.verdict === 'regression') || limits.some(failsLimit)) return 'regression';
  if (comparisons.some((c) => c.verdict === 'inconclusive') || limits.some((l) => l.breached)) return 'inconclusive';
  return comparisons.length > 0 ? 'pass' : 'no-baseline';
}

/** Report order: scenarios as they ran, then metrics in the thresholds' order. In place. */
export function sortComparisons(comparisons: Comparison[], scenarios: readonly { name: string }[], relative: readonly RelativeThreshold[]): void {
  const scenarioOrder = new Map(scenarios.map((s, i) => [s.name, i]));
  const metricOrder = new Map(relative.map((t, i) => [`${t.metric}.${t.statistic}`, i]));
  comparisons.sort(
    (a, b) =>
      (scenarioOrder.get(a.scenario) ?? 0) - (scenarioOrder.get(b.scenario) ?? 0) ||
      (metricOrder.get(`${a.metric}.${a.statistic}`) ?? 0) - (metricOrder.get(`${b.metric}.${b.statistic}`) ?? 0),
  );
}

export function gateRun(current: RunResult, history: RunResult[], opts: GateOptions = {}): GateDecision {
  const thresholds = resolveThresholds(opts.thresholds);
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const rule = opts.rule ?? 'estimate';
  const failures = runFailures(current, opts.minSuccessful ?? DEFAULT_MIN_SUCCESSFUL);
  const selection = selectBaselines(current, history, opts.allowFingerprintMismatch ?? false, {
    historyRuns: opts.historyRuns,
    relative: thresholds.relative,
    noise: opts.noise,
    priorWeight: opts.priorWeight ?? DEFAULT_PRIOR_WEIGHT,
    alpha,
  });
  const ready: Comparison[] = [];
  const pending: Pending[] = [];
  const notCompared: string[] = [];
  if (failures.length === 0) {
    for (const scenario of current.scenarios) {
      const stored = selection.byScenario.get(scenario.name);
      if (!stored || stored.length === 0) continue;
      for (const t of thresholds.relative) {
        if (neitherHas(scenario, stored, t)) {
          notCompared.push(`${t.metric}.${t.statistic}`);
          continue;
        }
        const p = pendingFor(scenario, stored, t, opts);
        if ('verdict' in p) ready.push(p);
        else pending.push(p);
      }
    }
  }
  const pValues = pending.map((p) => (p.log ? p.log.pWorse : (p.rate as RateDifference).pWorse));
  const adjusted = holmAdjust(pValues);
  const levels = holmLevels(pValues, alpha);
  const { comparisons, limits } = discountSlowClient(
    [...pending.map((p, i) => finish(p, levels[i], adjusted[i], alpha, rule)), ...ready],
    checkLimits(current, thresholds),
    clientDelays(current),
  );
  sortComparisons(comparisons, current.scenarios, thresholds.relative);
  const verdict = overallVerdict(failures, comparisons, limits);
  const reasons = [...failures, ...reasonLines(comparisons, limits), ...selection.reasons];
  if (notCompared.length > 0) {
    reasons.push(`not compared: ${[...new Set(notCompared)].join(', ')} — neither the current run nor the baseline has it (a file imported from a tool that did not write it); gate a statistic both have, or export it from the tool`);
  }
  if (history.length === 0) reasons.push('no baseline: absolute limits only');
  if (!current.clientHealth.trustworthy) {
    reasons.push(`the load generator fell behind (${current.clientHealth.reasons.join('; ') || 'see client health'}); latencies may be inflated by as much, so a worse figure within that is inconclusive, not a regression`);
  }
  const newest = selection.usedRuns[0] ?? history[0];
  return {
    verdict,
    reasons,
    comparisons,
    limits,
    baseline: newest
      ? { runs: selection.usedRuns.length, commit: newest.environment.commit, ref: newest.environment.ref, startedAt: newest.startedAt }
      : null,
    fingerprintDiffs: selection.diffs,
  };
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
}

export function reasonLines(comparisons: Comparison[], limits: LimitCheck[]): string[] {
  const lines: string[] = [];
  for (const c of comparisons) {
    const name = c.statistic === 'value' ? c.metric : `${c.metric}.${c.statistic}`;
    if (c.verdict === 'regression' && c.change !== null) {
      const change = c.metric === 'error_rate' ? `${pct(c.change)} points` : pct(c.change);
      lines.push(`scenario ${c.scenario}: ${name} regressed ${change} (threshold ${c.higherIsBetter ? '-' : '+'}${(100 * c.threshold).toFixed(1)} %)`);
    } else if (c.verdict === 'inconclusive') {
      lines.push(`scenario ${c.scenario}: ${name} inconclusive${c.note ? ` — ${c.note}` : ''}`);
    }
  }
  for (const l of limits) {
    if (l.breached) {
      const name = l.statistic === 'value' ? l.metric : `${l.metric}.${l.statistic}`;
      lines.push(`scenario ${l.scenario}: ${name} = ${l.value} breaks the limit ${l.limit}${l.untrusted ? ` — inconclusive: ${UNTRUSTED_NOTE}` : ''}`);
    }
  }
  return lines;
}

/** The Contracts' exit code for a decision. */
export function exitCodeFor(decision: GateDecision, failOn: 'regression' | 'inconclusive' | 'never'): number {
  switch (decision.verdict) {
    case 'error':
      return 3;
    case 'regression':
      return failOn === 'never' ? 0 : 1;
    case 'inconclusive':
      return failOn === 'inconclusive' ? 1 : 0;
    default:
      return 0;
  }
}
