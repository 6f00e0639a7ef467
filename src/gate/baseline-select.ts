// Which stored runs the gate may compare with: those whose model, GPU and scenario config
// match the current run (unless the config allows a mismatch). The differences of the
// newest stored run are reported either way.
import type { RunResult, ScenarioResult } from '../types.js';
import { hasBlocking, runFingerprintDiffs, scenarioFingerprintDiffs } from './fingerprint.js';
import type { FingerprintDiff } from './types.js';

export interface BaselineSelection {
  /** Per current scenario name: the matching scenario of each usable stored run, newest first. */
  byScenario: Map<string, ScenarioResult[]>;
  /** Stored runs that contributed to at least one scenario, newest first. */
  usedRuns: RunResult[];
  diffs: FingerprintDiff[];
  reasons: string[];
}

export function selectBaselines(current: RunResult, history: readonly RunResult[], allowMismatch: boolean): BaselineSelection {
  const byScenario = new Map<string, ScenarioResult[]>();
  const used = new Set<RunResult>();
  const reasons: string[] = [];
  const diffs: FingerprintDiff[] = history.length ? runFingerprintDiffs(history[0], current) : [];
  let runsLeftOut = 0;
  const blockingFields = new Set<string>();
  for (const run of history) {
    const runDiffs = runFingerprintDiffs(run, current);
    if (hasBlocking(runDiffs) && !allowMismatch) {
      runsLeftOut++;
      for (const d of runDiffs) if (d.blocking) blockingFields.add(d.field);
      continue;
    }
    for (const scenario of current.scenarios) {
      const stored = run.scenarios.find((s) => s.name === scenario.name);
      if (!stored) continue;
      const sDiffs = scenarioFingerprintDiffs(stored, scenario);
      if (run === history[0]) diffs.push(...sDiffs);
      if (hasBlocking(sDiffs) && !allowMismatch) {
        for (const d of sDiffs) if (d.blocking) blockingFields.add(d.field);
        continue;
      }
      const list = byScenario.get(scenario.name) ?? [];
      list.push(stored);
      byScenario.set(scenario.name, list);
      used.add(run);
    }
  }
  if (runsLeftOut > 0) {
    reasons.push(
      `${runsLeftOut} of ${history.length} stored run${history.length === 1 ? '' : 's'} left out: ${[...blockingFields].join(', ')} differ${blockingFields.size === 1 ? 's' : ''} (set gate.allow_fingerprint_mismatch to compare anyway)`,
    );
  } else if (blockingFields.size > 0) {
    reasons.push(`scenario config differs from the baseline (${[...blockingFields].join(', ')}); those scenarios are not compared`);
  }
  if (allowMismatch && hasBlocking(diffs)) reasons.push('the baseline differs in model, GPU or workload; compared anyway because the config allows it');
  for (const scenario of current.scenarios) {
    if (history.length > 0 && !byScenario.has(scenario.name) && runsLeftOut < history.length) {
      reasons.push(`scenario ${scenario.name}: no comparable baseline`);
    }
  }
  return { byScenario, usedRuns: history.filter((r) => used.has(r)), diffs, reasons };
}
