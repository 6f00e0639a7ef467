// Thresholds as the config writes them, under the Contracts' metric keys:
//   tpot_ms.p50: "+5%"            relative, in the worse direction (a comparison with the baseline)
//   ttft_ms.p99: "< 2000"         an absolute limit, checked with or without a baseline
//   error_rate: "+1%, < 0.01"     both, comma-separated
//   ttft_ms.p90: "off"            drops a default
// A user's entry replaces the default of the same key; other defaults stay.
import { InputError } from '../errors.js';
import { DEFAULT_THRESHOLDS, GATEABLE_STATISTICS, higherIsBetter, isDistributionKey, isRunLevelKey } from './metric-catalog.js';

export interface RelativeThreshold {
  metric: string;
  statistic: string;
  /** Positive magnitude in the worse direction: 0.05 for "+5%" (or "-5%" on a throughput). */
  magnitude: number;
  text: string;
}

export type LimitOperator = '<' | '<=' | '>' | '>=';

export interface AbsoluteLimit {
  metric: string;
  statistic: string;
  op: LimitOperator;
  bound: number;
  text: string;
}

export interface ThresholdSet {
  relative: RelativeThreshold[];
  limits: AbsoluteLimit[];
}

const RELATIVE = /^([+-]?)\s*(\d+(?:\.\d+)?)\s*%$/;
const LIMIT = /^(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i;

/** Splits "ttft_ms.p90" into a metric key and a statistic ('value' for run-level keys). */
export function parseThresholdKey(key: string): { metric: string; statistic: string } {
  const dot = key.indexOf('.');
  const metric = dot === -1 ? key : key.slice(0, dot);
  const statistic = dot === -1 ? '' : key.slice(dot + 1);
  if (isDistributionKey(metric)) {
    if (!(GATEABLE_STATISTICS as readonly string[]).includes(statistic)) {
      throw new InputError(
        `thresholds.${key}: '${metric}' is a distribution; name a statistic, one of ${GATEABLE_STATISTICS.join(', ')} (e.g. ${metric}.p90)`,
      );
    }
    return { metric, statistic };
  }
  if (isRunLevelKey(metric)) {
    if (statistic !== '') throw new InputError(`thresholds.${key}: '${metric}' is a run-level number; write it without a statistic`);
    return { metric, statistic: 'value' };
  }
  throw new InputError(`thresholds.${key}: unknown metric key '${metric}' (see the metric keys in docs/gate.md)`);
}

function parseOne(key: string, metric: string, statistic: string, part: string, into: ThresholdSet): void {
  const relative = RELATIVE.exec(part);
  if (relative) {
    const sign = relative[1];
    const magnitude = Number(relative[2]) / 100;
    const up = higherIsBetter(metric) ? '-' : '+';
    if (sign !== '' && sign !== up) {
      const direction = up === '+' ? 'a rise' : 'a drop';
      throw new InputError(`thresholds.${key}: '${part}' points the wrong way; for ${metric} ${direction} is worse, so write '${up}${relative[2]}%'`);
    }
    if (!(magnitude > 0)) throw new InputError(`thresholds.${key}: '${part}' must be above 0 %`);
    into.relative.push({ metric, statistic, magnitude, text: part });
    return;
  }
  const limit = LIMIT.exec(part);
  if (limit) {
    into.limits.push({ metric, statistic, op: limit[1] as LimitOperator, bound: Number(limit[2]), text: `${limit[1]} ${limit[2]}` });
    return;
  }
  throw new InputError(`thresholds.${key}: cannot read '${part}'; write a relative threshold like "+10%" or a limit like "< 2000" (or "off")`);
}

/** The thresholds in force: the defaults with the user's entries replacing theirs. */
export function resolveThresholds(user: Record<string, string> = {}): ThresholdSet {
  const merged: Record<string, string> = { ...DEFAULT_THRESHOLDS, ...user };
  const set: ThresholdSet = { relative: [], limits: [] };
  for (const [key, raw] of Object.entries(merged)) {
    if (typeof raw !== 'string') throw new InputError(`thresholds.${key}: must be a string such as "+10%" or "< 2000"`);
    const { metric, statistic } = parseThresholdKey(key);
    const text = raw.trim();
    if (text === 'off' || text === 'none' || text === '') continue;
    const parts = text.split(',').map((p) => p.trim());
    const relativeBefore = set.relative.length;
    for (const part of parts) parseOne(key, metric, statistic, part, set);
    if (set.relative.length - relativeBefore > 1) throw new InputError(`thresholds.${key}: give at most one relative threshold`);
  }
  return set;
}

/** Whether a value satisfies a limit ("< 2000" holds for 1999). */
export function limitHolds(value: number, op: LimitOperator, bound: number): boolean {
  switch (op) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}
