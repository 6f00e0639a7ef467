// One comparison of a statistic between a run and its baseline history, on the log scale
// (a ratio becomes a difference; run-to-run noise is multiplicative). Each run's log value
// is the truth plus that run's noise, of variance σ²_run = σ²_rr (run-to-run: another
// machine, another start) + τ² (within the run: which requests landed in which batch). The
// baseline is the mean of n runs' logs, so
//   Var(log current − baseline) = σ²_run · (1 + 1/n).
// σ²_rr is the documented prior; τ² comes from the block bootstrap. With ≥ 3 history runs
// their spread measures σ²_run directly, shrunk toward the prior (docs/statistics.md).
import { normalCdf } from './normal.js';

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
