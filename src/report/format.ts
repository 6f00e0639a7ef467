// Number formatting shared by the reports: latencies to 0.1 ms (enough to be exact to the
// millisecond), throughputs to 3 significant digits, changes as signed percentages.

export function formatMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(1)} ms`;
}

export function formatNumber(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return `${v.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/** The value of a metric with its unit, from the metric key's suffix. */
export function formatMetricValue(metric: string, v: number | null | undefined): string {
  if (metric.endsWith('_ms')) return formatMs(v);
  if (metric === 'error_rate') return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(2)} %`;
  if (metric.endsWith('_tps')) return formatNumber(v, 'tok/s');
  if (metric.endsWith('_rps')) return formatNumber(v, 'req/s');
  if (metric === 'duration_s') return formatNumber(v, 's');
  return formatNumber(v);
}

/** A count (requests, samples); '—' when absent: an imported file may not give one. */
export function formatCount(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : '—';
}

/** A fraction as a percentage, 92.4 % (SLO attainment); '—' when absent. */
export function formatFraction(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '—';
}

/** +12.3 % / −4.0 % (a real minus sign reads better in tables). */
export function formatPercent(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = (100 * Math.abs(v)).toFixed(digits);
  if (Number(s) === 0) return `±${s} %`;
  return `${v > 0 ? '+' : '−'}${s} %`;
}

/** A change in percentage points (for error_rate). */
export function formatPoints(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = (100 * Math.abs(v)).toFixed(2);
  if (Number(s) === 0) return '±0.00 pp';
  return `${v > 0 ? '+' : '−'}${s} pp`;
}

/** "3 days", "5 hours", "12 minutes" between two instants. */
export function formatAge(fromIso: string, to: Date): string | null {
  const from = Date.parse(fromIso);
  if (!Number.isFinite(from)) return null;
  const minutes = Math.max(0, (to.getTime() - from) / 60000);
  if (minutes < 90) return `${Math.round(minutes)} minute${Math.round(minutes) === 1 ? '' : 's'}`;
  const hours = minutes / 60;
  if (hours < 36) return `${Math.round(hours)} hours`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? '' : 's'}`;
}
