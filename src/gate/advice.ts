// "Roughly how many more requests or runs would decide": for an inconclusive comparison,
// the standard error that would settle it, and which lever gets there — more requests per
// run (shrinks τ², the within-run part) or more baseline runs (shrinks the 1/n share).
import type { LogComparison } from './log-comparison.js';

export interface AdviceInput {
  c: LogComparison;
  /** 2T on the log scale. */
  twiceThreshold: number;
  /** Quantile of the upper bound (z at α). */
  zUpper: number;
  /** Quantile of the lower bound (z at the Holm level). */
  zLower: number;
  /** Requests in the current run. */
  requests: number;
}

function varianceWith(c: LogComparison, requestFactor: number, runs: number): number {
  const between = Math.max(0, c.perRunVar - c.withinVar);
  return (between + c.withinVar / requestFactor) * (1 + 1 / runs);
}

/** One sentence saying what would decide the comparison. */
export function adviseInconclusive(a: AdviceInput): string {
  const { c } = a;
  // Either bound the regression out (hi ≤ 2T) or, when the estimate is already beyond 2T, make it significant (lo > 0).
  const targetSe = c.worse < a.twiceThreshold ? (a.twiceThreshold - c.worse) / a.zUpper : c.worse / a.zLower;
  const target = targetSe * targetSe;
  for (const factor of [1.5, 2, 3, 4, 6, 8]) {
    if (varianceWith(c, factor, c.runs) <= target) {
      return `about ${Math.ceil(a.requests * factor)} requests per run (×${factor}) would decide`;
    }
  }
  for (const runs of [3, 5, 10, 20, 30]) {
    if (runs > c.runs && varianceWith(c, 1, runs) <= target) return `a history of about ${runs} baseline runs would decide`;
  }
  for (const runs of [5, 10, 20]) {
    if (runs > c.runs && varianceWith(c, 4, runs) <= target) {
      return `about ${Math.ceil(a.requests * 4)} requests per run and a history of ${runs} baseline runs would decide`;
    }
  }
  const noise = Math.sqrt(c.perRunVar);
  return `run-to-run noise (±${(100 * noise).toFixed(1)} % per run) is too large for this threshold: raise it, or measure the noise with \`llm-perf-gate calibrate\``;
}
