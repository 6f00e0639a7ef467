// The Contracts' verdict rule for one comparison, on a scale where positive is worse:
// first match wins.
//   regression    lo > 0 and m > T           (strict rule: lo > T)
//   improvement   hi < 0 and m < −T′         (T′: the same threshold seen from the better side)
//   inconclusive  hi > 2T                    (the interval cannot rule out twice the threshold)
//   unchanged     otherwise                  ("~")
import type { Verdict } from './types.js';

export type VerdictRule = 'estimate' | 'strict';

export interface VerdictInput {
  /** The estimate, worse direction positive. */
  m: number;
  lo: number;
  hi: number;
  /** T on the same scale. */
  threshold: number;
  /** 2T on the same scale. */
  twiceThreshold: number;
  /** T′ ≥ 0: an improvement needs m < −T′. */
  improvementThreshold: number;
  rule: VerdictRule;
  /** False for comparisons that never answer inconclusive (error_rate; docs/statistics.md). */
  canBeInconclusive?: boolean;
}

export function decideVerdict(v: VerdictInput): Verdict {
  const significant = v.rule === 'strict' ? v.lo > v.threshold : v.lo > 0 && v.m > v.threshold;
  if (significant) return 'regression';
  if (v.hi < 0 && v.m < -v.improvementThreshold) return 'improvement';
  if ((v.canBeInconclusive ?? true) && v.hi > v.twiceThreshold) return 'inconclusive';
  return 'unchanged';
}
