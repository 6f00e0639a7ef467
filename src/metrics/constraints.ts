// Limits on a step's metrics, written as users read them: `ttft_ms.p90 < 500`,
// `error_rate <= 0.01`, `goodput_rps > 2`. The SLO search asks whether a step meets all of
// its constraints; this file only parses and evaluates them (no I/O).
import type { Distribution, ScenarioMetrics } from '../types.js';
import { DISTRIBUTION_KEYS } from '../types.js';

export type ConstraintOp = '<' | '<=' | '>' | '>=';

export interface Constraint {
  /** As written, for messages. */
  text: string;
  /** A distribution key (`ttft_ms`) or a run-level number (`error_rate`). */
  key: string;
  /** The statistic of a distribution (`p90`); undefined for run-level numbers. */
  statistic?: keyof Distribution;
  op: ConstraintOp;
  limit: number;
}

const STATISTICS: ReadonlyArray<keyof Distribution> = ['count', 'mean', 'std', 'min', 'p50', 'p90', 'p95', 'p99', 'max'];

/** Distributions a constraint may name (the Contracts' keys plus the latencies from schedule). */
const CONSTRAINT_DISTRIBUTIONS: readonly string[] = [...DISTRIBUTION_KEYS, 'ttft_from_schedule_ms', 'e2e_from_schedule_ms'];

/** Run-level numbers a constraint may name. */
const CONSTRAINT_NUMBERS: readonly string[] = [
  'request_throughput_rps',
  'output_token_throughput_tps',
  'total_token_throughput_tps',
  'goodput_rps',
  'token_goodput_tps',
  'slo_attainment',
  'error_rate',
  'completed',
  'failed',
];

const PATTERN = /^\s*([a-z_]+)(?:\.([a-z0-9]+))?\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/;

/** Parses one constraint; returns a message saying what is wrong instead when it cannot. */
export function parseConstraint(text: string): Constraint | string {
  const m = PATTERN.exec(text);
  if (!m) return `"${text}" is not a constraint; write e.g. "ttft_ms.p90 < 500" or "error_rate <= 0.01"`;
  const [, key, stat, op, value] = m;
  const limit = Number(value);
  if (CONSTRAINT_DISTRIBUTIONS.includes(key)) {
    if (stat === undefined || !(STATISTICS as readonly string[]).includes(stat)) {
      return `"${text}": ${key} is a distribution; name a statistic (${STATISTICS.join(', ')}), e.g. ${key}.p90`;
    }
    return { text: text.trim(), key, statistic: stat as keyof Distribution, op: op as ConstraintOp, limit };
  }
  if (CONSTRAINT_NUMBERS.includes(key)) {
    if (stat !== undefined) return `"${text}": ${key} is a single number; drop ".${stat}"`;
    return { text: text.trim(), key, op: op as ConstraintOp, limit };
  }
  return `"${text}": unknown metric ${key}; use one of ${[...CONSTRAINT_DISTRIBUTIONS, ...CONSTRAINT_NUMBERS].join(', ')}`;
}

function compare(value: number, op: ConstraintOp, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/** The metric a constraint names, or null when the step has none (no successful requests, no SLO). */
export function constraintValue(c: Constraint, metrics: ScenarioMetrics): number | null {
  const raw = (metrics as unknown as Record<string, unknown>)[c.key];
  if (c.statistic !== undefined) {
    if (raw === null || raw === undefined || typeof raw !== 'object') return null;
    return (raw as Distribution)[c.statistic];
  }
  return typeof raw === 'number' ? raw : null;
}

/** Why the metrics break the constraints (empty when they meet all). A missing value breaks its constraint. */
export function constraintFailures(constraints: readonly Constraint[], metrics: ScenarioMetrics): string[] {
  const out: string[] = [];
  for (const c of constraints) {
    const value = constraintValue(c, metrics);
    const name = c.statistic ? `${c.key}.${c.statistic}` : c.key;
    if (value === null) out.push(`${name} was not measured (needs ${c.op} ${c.limit})`);
    else if (!compare(value, c.op, c.limit)) out.push(`${name} ${formatNumber(value)} is not ${c.op} ${c.limit}`);
  }
  return out;
}

function formatNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) >= 100 ? 1 : 3);
}
