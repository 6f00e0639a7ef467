// What the gate knows about each Contracts metric key: its direction, whether it is a
// per-request distribution or a run-level number, the default gated comparisons with their
// thresholds, and the prior run-to-run noise (docs/statistics.md explains every number).
import { DISTRIBUTION_KEYS, RUN_LEVEL_KEYS } from '../types.js';
import type { DistributionKey, MetricKey, RunLevelKey, ScenarioResult } from '../types.js';

/** Statistics of a distribution a threshold may name (count and std are not gateable). */
export const GATEABLE_STATISTICS = ['mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max'] as const;
export type GateableStatistic = (typeof GATEABLE_STATISTICS)[number];

const HIGHER_IS_BETTER = new Set<string>([
  'input_throughput_tps',
  'output_throughput_tps',
  'request_throughput_rps',
  'output_token_throughput_tps',
  'total_token_throughput_tps',
  'goodput_rps',
  'completed',
  'capacity_rps',
  'capacity_concurrency',
  'token_goodput_tps',
  'slo_attainment',
]);

/**
 * Optional run-level numbers some scenarios carry (SLO search, goodput; docs/load.md):
 * gateable like the Contracts' run-level keys, e.g. `capacity_rps: "-10%"` — "the highest
 * rate that meets the SLOs dropped by more than 10 %".
 */
export const OPTIONAL_RUN_LEVEL_KEYS = ['capacity_rps', 'capacity_concurrency', 'token_goodput_tps', 'slo_attainment', 'offered_rate_rps', 'achieved_rate_rps'] as const;

export function isDistributionKey(key: string): key is DistributionKey {
  return (DISTRIBUTION_KEYS as readonly string[]).includes(key);
}

export function isRunLevelKey(key: string): key is RunLevelKey {
  return (RUN_LEVEL_KEYS as readonly string[]).includes(key) || (OPTIONAL_RUN_LEVEL_KEYS as readonly string[]).includes(key);
}

export function isMetricKey(key: string): key is MetricKey {
  return isDistributionKey(key) || isRunLevelKey(key);
}

export function higherIsBetter(metric: string): boolean {
  return HIGHER_IS_BETTER.has(metric);
}

/**
 * The defaults that apply with no config. Relative thresholds are in the worse direction;
 * `error_rate`'s "+1%" is one percentage point (an absolute difference of rates).
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<string, string>> = {
  'ttft_ms.p50': '+15%',
  'ttft_ms.p90': '+20%',
  'tpot_ms.p50': '+7%',
  'itl_ms.p50': '+7%',
  'e2e_ms.p90': '+10%',
  output_token_throughput_tps: '-6%',
  error_rate: '+1%, < 0.01',
};

/**
 * Prior run-to-run noise: the standard deviation of log(value) between two runs of the
 * same code on the same kind of machine, beyond the run's own sampling noise. Decode-bound
 * metrics move with the machine's speed one to one; TTFT and the tail amplify it through
 * queueing, so their priors are larger. Measure yours with `llm-perf-gate calibrate`.
 */
export const DEFAULT_NOISE_PRIORS: Readonly<Record<string, number>> = {
  ttft_ms: 0.05,
  'ttft_ms.p90': 0.06,
  tpot_ms: 0.025,
  itl_ms: 0.025,
  e2e_ms: 0.03,
  output_latency_ms: 0.03,
  input_throughput_tps: 0.05,
  output_throughput_tps: 0.025,
  request_throughput_rps: 0.025,
  output_token_throughput_tps: 0.025,
  total_token_throughput_tps: 0.025,
  goodput_rps: 0.05,
  // Capacity from a bisection is quantised by its tolerance (5 % by default) on top of the
  // machine's drift: a prior well above the tolerance keeps the gate from chasing steps.
  capacity_rps: 0.06,
  capacity_concurrency: 0.06,
  token_goodput_tps: 0.05,
};

/** For metrics and statistics without a prior of their own (p99, max, …): wide, on purpose. */
export const FALLBACK_NOISE_PRIOR = 0.08;

/** Prior noise for metric.statistic: an override, else the table (statistic, then metric), else the fallback. */
export function noisePrior(metric: string, statistic: string, overrides: Record<string, number> = {}): number {
  const exact = `${metric}.${statistic}`;
  const candidates = [overrides[exact], overrides[metric], DEFAULT_NOISE_PRIORS[exact]];
  for (const c of candidates) if (c !== undefined) return c;
  const tail = statistic === 'p99' || statistic === 'max' || statistic === 'min';
  return tail ? FALLBACK_NOISE_PRIOR : (DEFAULT_NOISE_PRIORS[metric] ?? FALLBACK_NOISE_PRIOR);
}

/** The statistic's value in a scenario's metrics, or null. */
export function statisticValue(s: ScenarioResult, metric: string, statistic: string): number | null {
  const m = (s.metrics as unknown as Record<string, unknown>)[metric];
  if (m === null || m === undefined) return null;
  if (typeof m === 'number') return statistic === 'value' ? m : null;
  const v = (m as Record<string, unknown>)[statistic];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
