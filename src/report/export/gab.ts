// github-action-benchmark's custom tools (benchmark-action/github-action-benchmark,
// `tool: customSmallerIsBetter` / `customBiggerIsBetter`): each reads a JSON array of
// `{name, unit, value, range?, extra?}`. Latencies and the error rate go in the first,
// throughputs in the second; a statistic an imported run lacks is left out, not zeroed.
import type { DistributionKey, RunResult, ScenarioResult, Statistic } from '../../types.js';
import { hasStatistic, importInfo } from '../import/common.js';

export interface GabEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export interface GabExport {
  customSmallerIsBetter: GabEntry[];
  customBiggerIsBetter: GabEntry[];
}

const LATENCIES: readonly DistributionKey[] = ['ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms'];
const LATENCY_STATS: readonly Statistic[] = ['mean', 'p50', 'p90', 'p99'];
const THROUGHPUTS = [
  ['output_token_throughput_tps', 'tokens/s'],
  ['total_token_throughput_tps', 'tokens/s'],
  ['request_throughput_rps', 'requests/s'],
] as const;

function extraOf(s: ScenarioResult, run: RunResult): string {
  const parts = [`model ${run.target.model}`];
  if (run.environment.commit) parts.push(`commit ${run.environment.commit}`);
  const info = importInfo(s);
  if (info) parts.push(`imported from ${info.importedFrom}${info.aggregatesOnly ? ' (aggregates only)' : ''}`);
  return parts.join('; ');
}

/** The two github-action-benchmark arrays for one run (one entry per scenario × metric × statistic). */
export function gabExport(run: RunResult): GabExport {
  const out: GabExport = { customSmallerIsBetter: [], customBiggerIsBetter: [] };
  for (const s of run.scenarios) {
    const extra = extraOf(s, run);
    for (const key of LATENCIES) {
      const d = s.metrics[key];
      for (const stat of LATENCY_STATS) {
        if (!d || !hasStatistic(d, stat)) continue;
        const entry: GabEntry = { name: `${s.name} ${key}.${stat}`, unit: 'ms', value: d[stat], extra: `${extra}; n=${hasStatistic(d, 'count') ? d.count : '?'}` };
        if (stat === 'mean' && hasStatistic(d, 'std')) entry.range = `± ${d.std}`;
        out.customSmallerIsBetter.push(entry);
      }
    }
    const missing = new Set(importInfo(s)?.missing ?? []);
    if (!missing.has('error_rate')) out.customSmallerIsBetter.push({ name: `${s.name} error_rate`, unit: 'fraction', value: s.metrics.error_rate, extra });
    for (const [key, unit] of THROUGHPUTS) {
      if (missing.has(key)) continue;
      out.customBiggerIsBetter.push({ name: `${s.name} ${key}`, unit, value: s.metrics[key], extra });
    }
  }
  return out;
}
