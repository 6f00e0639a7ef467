// The one rule for a scenario that cannot be measured: fewer than `min_successful` requests
// succeeded. The gate's verdict is then `error`, and `run`, the shard jobs and the paired
// rounds say the same line, which names the most common failure and its first message.
import type { RunResult, ScenarioResult } from '../types.js';

/** Successful requests a scenario needs before its numbers mean anything (config `min_successful`). */
export const DEFAULT_MIN_SUCCESSFUL = 5;

function mostCommonFailure(s: ScenarioResult): string {
  const top = Object.entries(s.metrics.errors_by_kind)
    .filter((e): e is [string, number] => (e[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  if (!top) return '';
  const first = s.requests.find((r) => r.error?.kind === top[0])?.error?.message;
  return `; ${top[1]} × ${top[0]}${first ? `: ${first}` : ''}`;
}

/** One line per scenario with too few successes; empty when every scenario can be measured. */
export function runFailures(result: RunResult, minSuccessful: number = DEFAULT_MIN_SUCCESSFUL): string[] {
  if (result.scenarios.length === 0) return ['the run has no scenarios'];
  const out: string[] = [];
  for (const s of result.scenarios) {
    const ok = s.metrics.completed;
    if (ok >= minSuccessful) continue;
    const total = ok + s.metrics.failed;
    out.push(`scenario '${s.name}': only ${ok} of ${total} requests succeeded (need ${minSuccessful} to measure${mostCommonFailure(s)})`);
  }
  return out;
}
