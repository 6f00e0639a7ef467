// Distributions as the Contracts define them: percentiles by linear interpolation between
// closest ranks (numpy's default 'linear' method, as vLLM uses), population std.
import type { Distribution } from '../types.js';

/**
 * The p-th percentile (0–100) of ascending `sorted` values, computed the way numpy does
 * (virtual index (n − 1)·p/100, and numpy's two-sided lerp) so results match it bit for bit.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  const index = (n - 1) * (p / 100);
  const below = Math.floor(index);
  const above = Math.min(below + 1, n - 1);
  const t = index - below;
  const a = sorted[below];
  const b = sorted[above];
  const diff = b - a;
  // numpy lerps from the nearer end, which keeps the result within [a, b] exactly.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** count, mean, population std, min, p50/p90/p95/p99, max; null when there are no values. */
export function summarize(values: readonly number[]): Distribution | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i] - mean) ** 2;
  return {
    count: n,
    mean,
    std: Math.sqrt(squares / n),
    min: sorted[0],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[n - 1],
  };
}
