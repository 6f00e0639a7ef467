// Which stored runs make the baseline: the newest gate.history_runs matching runs, cut at a
// step change of a gated statistic, so the baseline is what the base branch is now.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_RUNS, selectBaselines } from '../../src/gate/baseline-select.js';
import { gateRun } from '../../src/gate/gate.js';
import { gateSettingsFromConfig } from '../../src/gate/gate-config.js';
import { findStep } from '../../src/gate/log-comparison.js';
import { resolveThresholds } from '../../src/gate/thresholds.js';
import type { Config } from '../../src/config/schema.js';
import type { RunResult } from '../../src/types.js';
import { smallRun } from './fixtures.js';

/** Stored runs at starts first..first+count−1, newest first, the newest `fresh` at speed `after`. */
function storedHistory(first: number, count: number, fresh: number, before: number, after: number): RunResult[] {
  const runs: RunResult[] = [];
  for (let i = 0; i < count; i++) runs.push(smallRun(first + i, i >= count - fresh ? after : before));
  return runs.reverse();
}

const tpot = (r: RunResult) => r.scenarios[0].metrics.tpot_ms?.p50 ?? NaN;

describe('the history window', () => {
  it('uses the newest gate.history_runs matching runs, newest first by startedAt', () => {
    const history = storedHistory(1, 14, 0, 1, 1);
    // Given oldest first: the window still takes the newest by startedAt.
    const shuffled = [...history].reverse();
    const selection = selectBaselines(smallRun(20), shuffled, false);
    expect(DEFAULT_HISTORY_RUNS).toBe(10);
    expect(selection.byScenario.get('chat')?.length).toBe(10);
    expect(selection.usedRuns.map((r) => r.environment.commit)).toEqual(history.slice(0, 10).map((r) => r.environment.commit));
    expect(selectBaselines(smallRun(20), history, false, { historyRuns: 3 }).usedRuns.map((r) => r.environment.commit)).toEqual([
      'start-14',
      'start-13',
      'start-12',
    ]);
  });
  it('counts only runs that match the fingerprint', () => {
    const history = storedHistory(1, 6, 0, 1, 1);
    const other = { ...history[0], startedAt: new Date(Date.parse(history[0].startedAt) + 1000).toISOString(), target: { ...history[0].target, model: 'other' } };
    const selection = selectBaselines(smallRun(20), [other, ...history], false, { historyRuns: 2 });
    expect(selection.usedRuns.map((r) => r.environment.commit)).toEqual(['start-6', 'start-5']);
  });
  it('is read from gate.history_runs and checked', () => {
    const config = (gate: Record<string, unknown>) => ({ gate }) as unknown as Config;
    expect(gateSettingsFromConfig(config({ history_runs: 4 })).options.historyRuns).toBe(4);
    expect(gateSettingsFromConfig(config({})).options.historyRuns).toBeUndefined();
    expect(() => gateSettingsFromConfig(config({ history_runs: 0 }))).toThrow(/^config: gate\.history_runs: /);
    expect(() => gateSettingsFromConfig(config({ history_runs: 2.5 }))).toThrow(/^config: gate\.history_runs: /);
  });
  it('averages only the window in the gate', () => {
    const history = storedHistory(1, 14, 0, 1, 1);
    const d = gateRun(smallRun(20), history, { historyRuns: 4 });
    expect(d.baseline?.runs).toBe(4);
    const c = d.comparisons.find((x) => x.metric === 'tpot_ms');
    const logs = history.slice(0, 4).map((h) => Math.log(tpot(h)));
    expect(c?.baseline).toBeCloseTo(Math.exp(logs.reduce((a, b) => a + b, 0) / 4), 9);
  });
});

describe('a step change in the history', () => {
  const relative = resolveThresholds().relative;
  it('finds the split with the gate test: beyond the threshold and significant', () => {
    const logs = [0, 0.01, -0.01, 0, 0.005, 0.15, 0.16, 0.14, 0.15, 0.15];
    expect(findStep({ logs, threshold: 0.07, prior: 0.025, priorWeight: 5, alpha: 0.05 })).toMatchObject({ after: 5 });
    // A significant step smaller than the threshold is left in: it biases the baseline by less than T.
    const small = logs.map((x, i) => (i < 5 ? x : x / 5));
    expect(findStep({ logs: small, threshold: 0.07, prior: 0.025, priorWeight: 5, alpha: 0.05 })).toBeNull();
    // One odd newest run is no step: the newest segment is at least three runs.
    expect(findStep({ logs: [0.15, 0, 0, 0, 0, 0, 0], threshold: 0.07, prior: 0.025, priorWeight: 5, alpha: 0.05 })).toBeNull();
    expect(findStep({ logs: [0.15, 0.15, 0.15, 0, 0, 0, 0], threshold: 0.07, prior: 0.025, priorWeight: 5, alpha: 0.05 })).toMatchObject({ after: 3 });
  });
  it('rarely cuts a steady history: A/A, 20 histories of 10 runs with 2 % drift', () => {
    let cuts = 0;
    for (let trial = 0; trial < 20; trial++) {
      const reason = selectBaselines(smallRun(1000 * trial + 11), storedHistory(1000 * trial + 1, 10, 0, 1, 1), false, { relative }).reasons;
      if (reason.some((r) => r.includes('stored runs ago'))) cuts++;
    }
    expect(cuts).toBe(0);
  });
  // The reviewer's scenario: 20 stored runs, main 15 % faster 6 runs ago; a candidate 12 %
  // slower than main now. Averaging all 20 (or the newest 10) hides it; the runs since the step do not.
  it('after a 15 % speed-up 6 runs ago, a candidate 12 % slower than main now is a regression', () => {
    for (let trial = 0; trial < 5; trial++) {
      const first = 100 * trial + 1;
      const history = storedHistory(first, 20, 6, 1, 1 / 0.85);
      const d = gateRun(smallRun(first + 20, 1 / 0.85 / 1.12), history);
      expect(d.verdict, `trial ${trial}`).toBe('regression');
      expect(d.baseline?.runs).toBe(6);
      expect(d.comparisons.find((c) => c.metric === 'tpot_ms')?.verdict).toBe('regression');
      expect(d.reasons.some((r) => /^scenario chat: \S+ moved -1\d\.\d % 6 stored runs ago; the baseline is the 6 runs since/.test(r))).toBe(true);
    }
  });
  // After a 15 % regression was accepted into main, an unchanged PR compares with main as it
  // is now once three runs at the new level exist (MIN_RUNS_AFTER_STEP); with one it cannot
  // tell a step from an odd run, and the old level still dominates the window.
  it('after an accepted 15 % regression, an unchanged PR is not a regression once 3 new runs exist', () => {
    for (let trial = 0; trial < 5; trial++) {
      const first = 100 * trial + 5001;
      const fresh3 = gateRun(smallRun(first + 20, 1 / 1.15), storedHistory(first, 20, 3, 1, 1 / 1.15));
      expect(fresh3.verdict, `trial ${trial}`).toBe('pass');
      expect(fresh3.baseline?.runs).toBe(3);
      const fresh1 = gateRun(smallRun(first + 20, 1 / 1.15), storedHistory(first, 20, 1, 1, 1 / 1.15));
      expect(fresh1.baseline?.runs).toBe(10);
      expect(fresh1.verdict).not.toBe('pass');
    }
  });
});
