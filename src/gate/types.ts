// The gate's output: one Comparison per (scenario, metric key, statistic), the absolute
// limits checked, and the overall decision (DESIGN.md, Contracts: Verdicts).

/** Per comparison, first match wins (see docs/statistics.md). */
export type Verdict = 'regression' | 'improvement' | 'inconclusive' | 'unchanged';

/** The action's `verdict` output. */
export type OverallVerdict = 'pass' | 'regression' | 'inconclusive' | 'no-baseline' | 'error';

export interface Comparison {
  scenario: string;
  /** A Contracts metric key, e.g. 'ttft_ms'. */
  metric: string;
  /** 'p50', 'p90', … for distributions; 'value' for run-level numbers. */
  statistic: string;
  /** The baseline's value (the geometric mean over the history runs used). */
  baseline: number | null;
  current: number | null;
  /**
   * Plain relative change (current − baseline) / baseline, whatever the metric's direction.
   * For `error_rate` it is the absolute difference current − baseline (a fraction), since
   * a baseline of zero errors has no relative change.
   */
  change: number | null;
  /** The interval of `change`, on the same scale (see docs/statistics.md for its levels). */
  interval: [number, number] | null;
  /** The threshold as a positive magnitude in the worse direction (0.05 = 5 % worse). */
  threshold: number;
  verdict: Verdict;
  /** True for throughputs: a drop is the worse direction. */
  higherIsBetter: boolean;
  /** Holm-adjusted one-sided p-value of "worse"; absent where no test ran. */
  pAdjusted?: number;
  /** Why a verdict is what it is, or what would decide an inconclusive one. */
  note?: string;
}

export interface LimitCheck {
  scenario: string;
  metric: string;
  statistic: string;
  /** As written, e.g. '< 2000'. */
  limit: string;
  value: number | null;
  breached: boolean;
  reason: 'slo' | 'errors';
  /**
   * A breach measured while the load generator fell behind (src/gate/client-trust.ts): shown,
   * but it makes the verdict `inconclusive`, not `regression`.
   */
  untrusted?: boolean;
}

export interface FingerprintDiff {
  field: string;
  baseline: string;
  current: string;
  /** A blocking difference (model, GPU, workload) means the runs are not comparable. */
  blocking: boolean;
}

export interface BaselineInfo {
  /** History runs the comparisons used. */
  runs: number;
  commit?: string;
  ref?: string;
  startedAt?: string;
  url?: string;
}

export interface GateDecision {
  verdict: OverallVerdict;
  reasons: string[];
  comparisons: Comparison[];
  limits: LimitCheck[];
  baseline: BaselineInfo | null;
  fingerprintDiffs: FingerprintDiff[];
}
