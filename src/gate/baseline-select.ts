// Which stored runs the gate may compare with: those whose model, GPU and scenario config
// match the current run (unless the config allows a mismatch), newest first by startedAt,
// at most `gate.history_runs` of them per scenario, and only those after a step change of a
// gated statistic (docs/statistics.md, "Which stored runs"): the baseline is what the base
// branch is now, not an average over its past. The differences of the newest stored run are
// reported either way.
import type { RunResult, ScenarioResult } from '../types.js';
import { hasBlocking, runFingerprintDiffs, scenarioFingerprintDiffs } from './fingerprint.js';
import { findStep } from './log-comparison.js';
import { noisePrior, statisticValue } from './metric-catalog.js';
import type { RelativeThreshold } from './thresholds.js';
import type { FingerprintDiff } from './types.js';

/** Stored runs per scenario the baseline averages at most (docs/statistics.md: history of 10). */
export const DEFAULT_HISTORY_RUNS = 10;

export interface HistoryWindow {
  /** Newest matching runs per scenario the baseline may use. Default DEFAULT_HISTORY_RUNS. */
  historyRuns?: number;
  /** The gated comparisons: a step beyond one of their thresholds cuts the history. None: the window only. */
  relative?: readonly RelativeThreshold[];
  /** gate.noise overrides of the priors. */
  noise?: Record<string, number>;
  /** The prior's weight in runs against the history's spread (the gate's). */
  priorWeight?: number;
  /** The false-step rate (the gate's alpha). */
  alpha?: number;
}

function newestFirst(history: readonly RunResult[]): RunResult[] {
  // An unreadable startedAt sorts last; the sort is stable, so equal times keep the store's order.
  const time = (r: RunResult) => {
    const t = Date.parse(r.startedAt);
    return Number.isFinite(t) ? t : -Infinity;
  };
  return [...history].sort((a, b) => (time(a) === time(b) ? 0 : time(b) > time(a) ? 1 : -1));
}

/**
 * The newest runs of one scenario's window that come after the last step change of any gated
 * statistic, and a line saying where the history was cut. Repeats on the kept runs, since a
 * later, smaller step may sit inside the newest segment of an older, larger one.
 */
export function cutAtStep(name: string, stored: ScenarioResult[], window: HistoryWindow): { kept: ScenarioResult[]; reason?: string } {
  let kept = stored;
  let reason: string | undefined;
  for (let round = 0; round < stored.length; round++) {
    let cut: { after: number; z: number; text: string } | null = null;
    for (const t of window.relative ?? []) {
      if (t.metric === 'error_rate') continue;
      const values = kept.map((s) => statisticValue(s, t.metric, t.statistic));
      if (!values.every((v): v is number => v !== null && v > 0)) continue;
      const step = findStep({
        logs: values.map((v) => Math.log(v)),
        threshold: t.magnitude,
        prior: noisePrior(t.metric, t.statistic, window.noise),
        // The gate's defaults (DEFAULT_PRIOR_WEIGHT, DEFAULT_ALPHA); gateRun passes its own.
        priorWeight: window.priorWeight ?? 5,
        alpha: window.alpha ?? 0.05,
      });
      // The most recent step of any statistic wins: no older level may leak into the baseline.
      if (step && (!cut || step.after < cut.after || (step.after === cut.after && step.z > cut.z))) {
        const key = t.statistic === 'value' ? t.metric : `${t.metric}.${t.statistic}`;
        const pct = 100 * (Math.exp(step.logChange) - 1);
        cut = { after: step.after, z: step.z, text: `${key} moved ${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %` };
      }
    }
    if (!cut) break;
    reason = `scenario ${name}: ${cut.text} ${cut.after} stored runs ago; the baseline is the ${cut.after} runs since (older runs left out)`;
    kept = kept.slice(0, cut.after);
  }
  return { kept, reason };
}

export interface BaselineSelection {
  /** Per current scenario name: the matching scenario of each usable stored run, newest first. */
  byScenario: Map<string, ScenarioResult[]>;
  /** Stored runs that contributed to at least one scenario, newest first. */
  usedRuns: RunResult[];
  diffs: FingerprintDiff[];
  reasons: string[];
}

export function selectBaselines(current: RunResult, unordered: readonly RunResult[], allowMismatch: boolean, window: HistoryWindow = {}): BaselineSelection {
  const history = newestFirst(unordered);
  const limit = window.historyRuns ?? DEFAULT_HISTORY_RUNS;
  const matching = new Map<string, { run: RunResult; scenario: ScenarioResult }[]>();
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
      const list = matching.get(scenario.name) ?? [];
      if (list.length < limit) list.push({ run, scenario: stored });
      matching.set(scenario.name, list);
    }
  }
  const byScenario = new Map<string, ScenarioResult[]>();
  const used = new Set<RunResult>();
  const stepReasons: string[] = [];
  for (const [name, list] of matching) {
    // The cut keeps a prefix (the newest runs), so list[i] still owns kept[i].
    const { kept, reason } = cutAtStep(name, list.map((e) => e.scenario), window);
    byScenario.set(name, kept);
    if (reason) stepReasons.push(reason);
    for (const e of list.slice(0, kept.length)) used.add(e.run);
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
  reasons.push(...stepReasons);
  return { byScenario, usedRuns: history.filter((r) => used.has(r)), diffs, reasons };
}
