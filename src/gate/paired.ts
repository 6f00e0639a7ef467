// The paired gate: baseline (A) and candidate (B) measured in the same job, in alternating
// rounds A B A B …, each round running the same seeded workload against both. The round is
// the unit: per round r and statistic, d_r = log(B_r) − log(A_r). Whatever both sides of a
// round share — the machine's speed that day, a slow wander of it, the workload — cancels
// in d_r, so what is left is the within-run noise of two runs. The estimate is the mean of
// d_r, its standard error sd(d)/√k, and the interval Student's t with k − 1 degrees of
// freedom (the spread is measured, not assumed; no prior). docs/statistics.md explains it.
import type { RunResult, ScenarioResult } from '../types.js';
import { compareErrorRates } from './error-rate.js';
import type { RateDifference } from './error-rate.js';
import { discountSlowClient, worstClientDelays } from './client-trust.js';
import { checkLimits, DEFAULT_ALPHA, inconclusiveComparison, overallVerdict, reasonLines, sortComparisons } from './gate.js';
import { DEFAULT_MIN_SUCCESSFUL, runFailures } from './too-few-successes.js';
import { holmAdjust, holmLevels } from './holm.js';
import { higherIsBetter, statisticValue } from './metric-catalog.js';
import { normalQuantile } from './normal.js';
import { pairedThresholdSet, type PairedRoundDiffs, pairedLogDifferences } from './paired-rounds.js';
import { studentTCdf, studentTQuantile } from './paired-student-t.js';
import type { RelativeThreshold } from './thresholds.js';
import type { Comparison, GateDecision } from './types.js';
import { decideVerdict, type VerdictRule } from './verdict.js';

/** One round: the baseline server's run and the candidate server's run of the same workload. */
export interface PairedRound {
  baseline: RunResult;
  candidate: RunResult;
}

export interface PairedGateOptions {
  /** Config `thresholds:`, merged over PAIRED_DEFAULT_THRESHOLDS. */
  thresholds?: Record<string, string>;
  rule?: VerdictRule;
  alpha?: number;
  minSuccessful?: number;
}

/** The fewest rounds that give a spread (one degree of freedom); docs recommend 6. */
export const MIN_PAIRED_ROUNDS = 2;

interface Pending {
  scenario: string;
  threshold: RelativeThreshold;
  baseline: number;
  current: number;
  change: number;
  /** Log scale, worse positive. */
  diffs?: PairedRoundDiffs;
  rate?: RateDifference;
}

function scaled(metric: string, T: number, isRate: boolean): { t: number; t2: number; improve: number } {
  if (isRate) return { t: T, t2: 2 * T, improve: T };
  const negLog = (x: number) => (x > 0 ? -Math.log(x) : Infinity);
  if (higherIsBetter(metric)) return { t: negLog(1 - T), t2: negLog(1 - 2 * T), improve: Math.log(1 + T) };
  return { t: Math.log(1 + T), t2: Math.log(1 + 2 * T), improve: negLog(1 - T) };
}

function scenarioIn(run: RunResult, name: string): ScenarioResult | undefined {
  return run.scenarios.find((s) => s.name === name);
}

function pendingFor(name: string, rounds: readonly PairedRound[], t: RelativeThreshold): Pending | Comparison {
  const up = higherIsBetter(t.metric);
  const a = rounds.map((r) => scenarioIn(r.baseline, name));
  const b = rounds.map((r) => scenarioIn(r.candidate, name));
  const missing = (note: string): Comparison => inconclusiveComparison(name, t, note);
  if (a.some((s) => s === undefined)) return missing('the baseline server has no result for this scenario in some round');
  const as = a as ScenarioResult[];
  const bs = b as ScenarioResult[];
  if (t.metric === 'error_rate') {
    const pool = (ss: ScenarioResult[]) => ({
      failed: ss.reduce((x, s) => x + s.metrics.failed, 0),
      total: ss.reduce((x, s) => x + s.metrics.failed + s.metrics.completed, 0),
    });
    const pa = pool(as);
    const pb = pool(bs);
    const rate = compareErrorRates(pb, pa);
    const baseline = pa.total > 0 ? pa.failed / pa.total : 0;
    const current = pb.total > 0 ? pb.failed / pb.total : 0;
    return { scenario: name, threshold: t, baseline, current, change: rate.diff, rate };
  }
  const diffs = pairedLogDifferences(
    as.map((s) => statisticValue(s, t.metric, t.statistic)),
    bs.map((s) => statisticValue(s, t.metric, t.statistic)),
    up,
  );
  if (diffs.rounds < MIN_PAIRED_ROUNDS) {
    return missing(`only ${diffs.rounds} round(s) measured this statistic on both servers; paired rounds need at least ${MIN_PAIRED_ROUNDS}`);
  }
  return { scenario: name, threshold: t, baseline: diffs.baselineValue, current: diffs.currentValue, change: diffs.currentValue / diffs.baselineValue - 1, diffs };
}

function finish(p: Pending, level: number, pAdjusted: number, alpha: number, rule: VerdictRule): Comparison {
  const up = higherIsBetter(p.threshold.metric);
  const th = scaled(p.threshold.metric, p.threshold.magnitude, p.rate !== undefined);
  let m: number;
  let lo: number;
  let hi: number;
  if (p.diffs) {
    const df = p.diffs.rounds - 1;
    m = p.diffs.meanWorse;
    lo = m - studentTQuantile(1 - level, df) * p.diffs.se;
    hi = m + studentTQuantile(1 - alpha, df) * p.diffs.se;
  } else {
    const rate = p.rate as RateDifference;
    m = rate.adjustedDiff;
    lo = m - normalQuantile(1 - level) * rate.se;
    hi = m + normalQuantile(1 - alpha) * rate.se;
  }
  const verdict = decideVerdict({ m, lo, hi, threshold: th.t, twiceThreshold: th.t2, improvementThreshold: th.improve, rule, canBeInconclusive: !p.rate });
  let interval: [number, number];
  if (p.rate) interval = [Math.max(-1, lo), Math.min(1, hi)];
  else interval = up ? [Math.exp(-hi) - 1, Math.exp(-lo) - 1] : [Math.exp(lo) - 1, Math.exp(hi) - 1];
  const c: Comparison = {
    scenario: p.scenario,
    metric: p.threshold.metric,
    statistic: p.threshold.statistic,
    baseline: p.baseline,
    current: p.current,
    change: p.change,
    interval,
    threshold: p.threshold.magnitude,
    verdict,
    higherIsBetter: up,
    pAdjusted,
  };
  if (p.diffs && p.diffs.dropped > 0) c.note = `${p.diffs.dropped} round(s) without a value on one side were left out`;
  if (verdict === 'inconclusive' && p.diffs) {
    // se shrinks as 1/√k: the rounds that would bring hi under 2T (or, for an estimate
    // already beyond 2T, lo above 0) at this spread, with the quantiles of the current k.
    const df = Math.max(1, p.diffs.rounds - 1);
    const need = m < th.t2 ? ((studentTQuantile(1 - alpha, df) * p.diffs.sd) / (th.t2 - Math.max(0, m))) ** 2 : ((studentTQuantile(1 - level, df) * p.diffs.sd) / m) ** 2;
    c.note = Number.isFinite(need) && need <= 100 ? `about ${Math.max(p.diffs.rounds + 1, Math.ceil(need))} rounds would decide (${p.diffs.rounds} ran)` : 'the rounds disagree too much to decide with a sensible number of rounds';
  }
  return c;
}

function pValue(p: Pending): number {
  if (p.rate) return p.rate.pWorse;
  const d = p.diffs as PairedRoundDiffs;
  if (d.se === 0) return d.meanWorse > 0 ? 0 : 1;
  return 1 - studentTCdf(d.meanWorse / d.se, d.rounds - 1);
}

/**
 * The paired decision over k rounds. `pooledCandidate` (all candidate rounds pooled, see
 * src/report/merge.ts poolRounds) is what the absolute limits are checked on.
 */
export function gatePaired(rounds: readonly PairedRound[], pooledCandidate: RunResult, opts: PairedGateOptions = {}): GateDecision {
  const thresholds = pairedThresholdSet(opts.thresholds);
  const alpha = opts.alpha ?? DEFAULT_ALPHA;
  const rule = opts.rule ?? 'estimate';
  const minSuccessful = opts.minSuccessful ?? DEFAULT_MIN_SUCCESSFUL;
  const failures: string[] = [];
  if (rounds.length === 0) failures.push('no paired rounds ran');
  rounds.forEach((r, i) => {
    for (const f of runFailures(r.baseline, minSuccessful)) failures.push(`round ${i + 1}, baseline server: ${f}`);
    for (const f of runFailures(r.candidate, minSuccessful)) failures.push(`round ${i + 1}, candidate server: ${f}`);
  });
  const ready: Comparison[] = [];
  const pending: Pending[] = [];
  if (failures.length === 0) {
    for (const s of pooledCandidate.scenarios) {
      for (const t of thresholds.relative) {
        const p = pendingFor(s.name, rounds, t);
        if ('verdict' in p) ready.push(p);
        else pending.push(p);
      }
    }
  }
  const pValues = pending.map(pValue);
  const adjusted = holmAdjust(pValues);
  const levels = holmLevels(pValues, alpha);
  // A worse figure within the delay of a client that fell behind in any round is inconclusive.
  const allRuns = rounds.flatMap((r) => [r.baseline, r.candidate]);
  const trustworthy = allRuns.every((r) => r.clientHealth.trustworthy);
  const { comparisons, limits } = discountSlowClient(
    [...pending.map((p, i) => finish(p, levels[i], adjusted[i], alpha, rule)), ...ready],
    checkLimits(pooledCandidate, thresholds),
    worstClientDelays(allRuns),
  );
  sortComparisons(comparisons, pooledCandidate.scenarios, thresholds.relative);
  const reasons = [...failures, ...reasonLines(comparisons, limits)];
  reasons.push(`paired: ${rounds.length} rounds, baseline server ${rounds[0]?.baseline.target.baseUrl ?? '?'} against candidate ${rounds[0]?.candidate.target.baseUrl ?? '?'}`);
  if (!trustworthy) reasons.push('the load generator fell behind in some round; latencies may be inflated by as much, so a worse figure within that is inconclusive, not a regression (see client health)');
  const first = rounds[0]?.baseline;
  return {
    verdict: overallVerdict(failures, comparisons, limits),
    reasons,
    comparisons,
    limits,
    baseline: first ? { runs: rounds.length, commit: first.environment.commit, ref: first.environment.ref, startedAt: first.startedAt } : null,
    fingerprintDiffs: [],
  };
}
