// One comparison of a statistic between a run and its baseline history, on the log scale
// (a ratio becomes a difference; run-to-run noise is multiplicative). Each run's log value
// is the truth plus that run's noise, of variance σ²_run = σ²_rr (run-to-run: another
// machine, another start) + τ² (within the run: which requests landed in which batch). The
// baseline is the mean of n runs' logs, so
//   Var(log current − baseline) = σ²_run · (1 + 1/n).
// σ²_rr is the documented prior; τ² comes from the block bootstrap. With ≥ 3 history runs
// their spread measures σ²_run directly, shrunk toward the prior (docs/statistics.md).
import { normalCdf, normalQuantile } from './normal.js';

export interface LogComparisonInput {
  current: number;
  /** The statistic in each history run used (positive values). */
  baselines: readonly number[];
  /** Within-run variance τ² of log(value) for one run (block bootstrap). */
  withinVar: number;
  /** Prior run-to-run sd σ_rr of log(value). */
  prior: number;
  /** The prior's weight in runs (degrees of freedom) against a history's spread. */
  priorWeight: number;
  higherIsBetter: boolean;
}

export interface LogComparison {
  /** Geometric mean of the history runs. */
  baselineValue: number;
  /** log(current / baseline), signed so that positive is worse. */
  worse: number;
  /** Standard error of `worse`. */
  se: number;
  /** One-sided p-value of "no worse" (small means significantly worse). */
  pWorse: number;
  /** σ²_run used: the prior plus τ², or the history's estimate. */
  perRunVar: number;
  /** τ²: the part of perRunVar that more requests per run would shrink. */
  withinVar: number;
  runs: number;
  /** True when the history's spread informed perRunVar. */
  fromHistory: boolean;
}

/** σ²_run: prior + τ² below 3 runs, else the history's sample variance shrunk toward that. */
export function perRunVariance(logs: readonly number[], priorVar: number, priorWeight: number): number {
  const n = logs.length;
  if (n < 3) return priorVar;
  const m = logs.reduce((a, b) => a + b, 0) / n;
  const spread = logs.reduce((a, x) => a + (x - m) * (x - m), 0) / (n - 1);
  return (priorWeight * priorVar + (n - 1) * spread) / (priorWeight + n - 1);
}

export function compareLog(input: LogComparisonInput): LogComparison {
  const n = input.baselines.length;
  const logs = input.baselines.map((b) => Math.log(b));
  const withinVar = Number.isFinite(input.withinVar) ? input.withinVar : 0;
  const perRunVar = perRunVariance(logs, input.prior * input.prior + withinVar, input.priorWeight);
  const se = Math.sqrt(perRunVar * (1 + 1 / n));
  const baselineLog = logs.reduce((a, b) => a + b, 0) / n;
  const logRatio = Math.log(input.current) - baselineLog;
  const worse = input.higherIsBetter ? -logRatio : logRatio;
  const pWorse = se > 0 ? 1 - normalCdf(worse / se) : worse > 0 ? 0 : 1;
  return { baselineValue: Math.exp(baselineLog), worse, se, pWorse, perRunVar, withinVar, runs: n, fromHistory: n >= 3 };
}

/** The newest runs a step needs before the history is cut at it (fewer could be one odd run). */
export const MIN_RUNS_AFTER_STEP = 3;

export interface StepInput {
  /** log(value) of the statistic in each stored run, newest first. */
  logs: readonly number[];
  /** The gated threshold T (relative, e.g. 0.07): a step must move the value by more than it. */
  threshold: number;
  /** Prior run-to-run sd σ_rr of log(value), as the gate's. */
  prior: number;
  priorWeight: number;
  /** Two-sided false-step rate across all the splits tried. */
  alpha: number;
}

export interface Step {
  /** Runs after the step (the newest `after` runs are on the new level). */
  after: number;
  /** log(mean after) − log(mean before): the step's size on the log scale. */
  logChange: number;
  z: number;
}

/**
 * A step change in a stored history: the split into the newest k ≥ 3 runs and the older ones
 * whose means differ by more than the threshold (log(1 + T) up, −log(1 − T) down) and
 * significantly — the gate's own test, two-sided, with the noise σ²_run estimated from the
 * spread within the two segments shrunk toward the prior (as perRunVariance) and a
 * Bonferroni level over the splits tried. Of the splits that qualify, the most significant.
 */
export function findStep(input: StepInput): Step | null {
  const n = input.logs.length;
  const splits = n - MIN_RUNS_AFTER_STEP;
  if (splits < 1) return null;
  const zCritical = normalQuantile(1 - input.alpha / (2 * splits));
  const up = Math.log(1 + input.threshold);
  const down = input.threshold < 1 ? -Math.log(1 - input.threshold) : Infinity;
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const squares = (xs: readonly number[], m: number) => xs.reduce((a, x) => a + (x - m) * (x - m), 0);
  let best: Step | null = null;
  for (let k = MIN_RUNS_AFTER_STEP; k < n; k++) {
    const after = input.logs.slice(0, k);
    const before = input.logs.slice(k);
    const ma = mean(after);
    const mb = mean(before);
    const df = n - 2;
    const spread = (squares(after, ma) + squares(before, mb)) / df;
    const perRunVar = (input.priorWeight * input.prior * input.prior + df * spread) / (input.priorWeight + df);
    const se = Math.sqrt(perRunVar * (1 / k + 1 / (n - k)));
    const d = ma - mb;
    const z = se > 0 ? Math.abs(d) / se : Infinity;
    if (Math.abs(d) <= (d > 0 ? up : down) || z <= zCritical) continue;
    if (!best || z > best.z) best = { after: k, logChange: d, z };
  }
  return best;
}
