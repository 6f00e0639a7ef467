// The error-rate comparison: a difference of two proportions, not a ratio (a baseline with
// no errors has no ratio). Agresti & Caffo (2000): add one failure and one success to each
// side, then use the Wald standard error — good coverage even at 0 failures. The history's
// runs are pooled into one baseline proportion.
import { normalCdf } from './normal.js';

export interface Proportion {
  failed: number;
  total: number;
}

export interface RateDifference {
  /** Plain difference of the observed rates (current − baseline). */
  diff: number;
  /** The adjusted difference the interval is centred on. */
  adjustedDiff: number;
  se: number;
  /** One-sided p-value of "no more errors than the baseline". */
  pWorse: number;
}

export function compareErrorRates(current: Proportion, baseline: Proportion): RateDifference {
  const rate = (p: Proportion) => (p.total > 0 ? p.failed / p.total : 0);
  const pc = (current.failed + 1) / (current.total + 2);
  const pb = (baseline.failed + 1) / (baseline.total + 2);
  const se = Math.sqrt((pc * (1 - pc)) / (current.total + 2) + (pb * (1 - pb)) / (baseline.total + 2));
  const adjustedDiff = pc - pb;
  return { diff: rate(current) - rate(baseline), adjustedDiff, se, pWorse: 1 - normalCdf(adjustedDiff / se) };
}
