// The per-round numbers of the paired gate and its default thresholds.
import { resolveThresholds, type ThresholdSet } from './thresholds.js';

/**
 * Defaults for paired rounds, tighter than the stored-baseline defaults (metric-catalog.ts)
 * because the machine and its drift cancel within a round: what is left is two runs'
 * sampling noise. They were set from bench/paired-quality.ts (docs/statistics.md, "Paired
 * rounds"): per round sd of d on the default paired scenario is ~1 % for TPOT/ITL p50,
 * ~2 % for E2E p90 and ~2–5 % for TTFT, so a threshold of about 3× that sd keeps the
 * estimate of an unchanged server under it in essentially every job, while a 5 % slower
 * decode step is still caught by TPOT, ITL and E2E. TTFT keeps wider thresholds: queueing
 * makes it the noisiest per round.
 */
export const PAIRED_DEFAULT_THRESHOLDS: Readonly<Record<string, string>> = {
  'ttft_ms.p50': '+8%',
  'ttft_ms.p90': '+10%',
  'tpot_ms.p50': '+3%',
  'itl_ms.p50': '+3%',
  'e2e_ms.p90': '+4%',
  output_token_throughput_tps: '-3%',
  error_rate: '+1%, < 0.01',
};

/** The thresholds in force in paired mode: the paired defaults, then the user's entries. */
export function pairedThresholdSet(user: Record<string, string> = {}): ThresholdSet {
  return resolveThresholds({ ...PAIRED_DEFAULT_THRESHOLDS, ...user });
}

export interface PairedRoundDiffs {
  /** Rounds with a usable value on both sides. */
  rounds: number;
  /** Rounds left out because a side had no usable value. */
  dropped: number;
  /** d_r = log(B_r / A_r), signed so that positive is worse. */
  worse: number[];
  meanWorse: number;
  /** Sample standard deviation of d (n − 1); 0 with one round. */
  sd: number;
  /** sd / √rounds. */
  se: number;
  /** Geometric means of the rounds' values. */
  baselineValue: number;
  currentValue: number;
}

function usable(v: number | null): v is number {
  return v !== null && Number.isFinite(v) && v > 0;
}

/** The per-round log ratios of one statistic; a round missing a value on either side is dropped. */
export function pairedLogDifferences(baseline: readonly (number | null)[], candidate: readonly (number | null)[], higherIsBetter: boolean): PairedRoundDiffs {
  const la: number[] = [];
  const lb: number[] = [];
  const n = Math.min(baseline.length, candidate.length);
  for (let i = 0; i < n; i++) {
    const a = baseline[i];
    const b = candidate[i];
    if (usable(a) && usable(b)) {
      la.push(Math.log(a));
      lb.push(Math.log(b));
    }
  }
  const k = la.length;
  const worse = la.map((a, i) => (higherIsBetter ? a - lb[i] : lb[i] - a));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const meanWorse = k > 0 ? mean(worse) : 0;
  const sd = k > 1 ? Math.sqrt(worse.reduce((s, x) => s + (x - meanWorse) ** 2, 0) / (k - 1)) : 0;
  return {
    rounds: k,
    dropped: Math.max(baseline.length, candidate.length) - k,
    worse,
    meanWorse,
    sd,
    se: k > 0 ? sd / Math.sqrt(k) : 0,
    baselineValue: k > 0 ? Math.exp(mean(la)) : Number.NaN,
    currentValue: k > 0 ? Math.exp(mean(lb)) : Number.NaN,
  };
}
