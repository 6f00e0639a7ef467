// calibrate's suggestions must not make the gate cry wolf: runs against one server start never
// lower the noise below the documented priors or the thresholds below the defaults, and
// gate.noise gets the run-to-run part only (the gate adds the within-run part itself).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { calibrateCommand, calibrateFromRuns, formatCalibration, suggestSettings } from '../../src/gate/calibrate-command.js';
import type { CalibrationRow } from '../../src/gate/calibrate-command.js';
import { gateRun } from '../../src/gate/gate.js';
import { gateSettingsFromConfig } from '../../src/gate/gate-config.js';
import { noisePrior } from '../../src/gate/metric-catalog.js';
import { resolveThresholds } from '../../src/gate/thresholds.js';
import type { Config } from '../../src/config/schema.js';
import { formatRunResult } from '../../src/report/results-file.js';
import { smallRun } from './fixtures.js';

/** The YAML snippet at the end of calibrate's output, as a config. */
function snippet(text: string): Config {
  return parse(text.slice(text.indexOf('gate:\n'))) as Config;
}

const keyOf = (t: { metric: string; statistic: string }) => (t.statistic === 'value' ? t.metric : `${t.metric}.${t.statistic}`);

describe('calibrate against one server start', () => {
  // One start, no drift between the runs: all the spread they see is jitter, ~0.5 % on TPOT.
  const sameStart = async (): Promise<string> => {
    let start = 1;
    let text = '';
    const code = await calibrateCommand(['--runs', '3'], { runOnce: async () => smallRun(start++, 1, 0), out: (t) => (text += t) });
    expect(code).toBe(0);
    return text;
  };
  it('never suggests noise below the priors nor thresholds below the defaults, and warns in one line', async () => {
    const text = await sameStart();
    const config = snippet(text);
    const noise = (config.gate as { noise: Record<string, number> }).noise;
    const defaults = resolveThresholds().relative.filter((t) => t.metric !== 'error_rate');
    const suggested = resolveThresholds(config.thresholds).relative;
    for (const t of defaults) {
      expect(noise[keyOf(t)], keyOf(t)).toBeGreaterThanOrEqual(noisePrior(t.metric, t.statistic));
      expect(suggested.find((s) => s.metric === t.metric && s.statistic === t.statistic)?.magnitude, keyOf(t)).toBeGreaterThanOrEqual(t.magnitude - 1e-12);
    }
    const warnings = text.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: runs against one server start miss the drift between CI runs; raised to .*tpot_ms\.p50.*--results PATH/);
    // The measured spread really was below the prior: the clamp is what kept it out.
    const tpot = calibrateFromRuns([smallRun(1, 1, 0), smallRun(2, 1, 0), smallRun(3, 1, 0)]).find((r) => r.metric === 'tpot_ms');
    expect(tpot?.runToRunSd).toBeLessThan(noisePrior('tpot_ms', 'p50'));
  });
  it('gives a config under which A/A pairs with 2 % drift between starts do not fail', async () => {
    const options = gateSettingsFromConfig(snippet(await sameStart())).options;
    const verdicts: Record<string, number> = {};
    for (let t = 0; t < 20; t++) {
      const v = gateRun(smallRun(1001 + 2 * t), [smallRun(1000 + 2 * t)], options).verdict;
      verdicts[v] = (verdicts[v] ?? 0) + 1;
    }
    // The unclamped snippet (noise 0.4 %, TPOT "+2%") failed 18 of 40 such pairs.
    expect(verdicts.regression ?? 0).toBe(0);
  });
});

describe('what calibrate writes into gate.noise', () => {
  it('is the run-to-run part: per-run spread minus the within-run variance, floored at 0', () => {
    const rows = calibrateFromRuns([smallRun(11), smallRun(12), smallRun(13), smallRun(14), smallRun(15)]);
    expect(rows.some((r) => r.withinSd > 0)).toBe(true);
    for (const r of rows) expect(r.runToRunSd).toBeCloseTo(Math.sqrt(Math.max(0, r.perRunSd ** 2 - r.withinSd ** 2)), 12);
    const row: CalibrationRow = { scenario: 'chat', metric: 'tpot_ms', statistic: 'p50', runs: 8, perRunSd: 0.05, withinSd: 0.04, runToRunSd: 0.03, supportedThreshold: 0.1452 };
    const text = formatCalibration([row], { separateStarts: true });
    expect(snippet(text).gate).toEqual({ noise: { 'tpot_ms.p50': 0.03 } });
    // The threshold is the one the gate's σ_run = √(noise² + τ²) = 5 % supports (14.5 %, rounded up), no more.
    expect(suggestSettings([row], { separateStarts: true }).thresholds.get('tpot_ms.p50')).toBe('+15%');
    expect(text).not.toMatch(/warning/);
  });
});

describe('calibrate --results', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'calibrate-results-'));
    // Eight CI runs: separate starts, 2 % drift between them.
    for (let i = 0; i < 8; i++) await writeFile(join(dir, `run-${i}.json`), formatRunResult(smallRun(11 + i)));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('takes the measured run-to-run noise of separate runs as it is, below the priors included', async () => {
    let text = '';
    expect(await calibrateCommand(['--results', dir], { out: (t) => (text += t) })).toBe(0);
    expect(text).toMatch(/^8 stored runs from /);
    expect(text).not.toMatch(/warning/);
    const noise = (snippet(text).gate as { noise: Record<string, number> }).noise;
    const rows = calibrateFromRuns(Array.from({ length: 8 }, (_, i) => smallRun(18 - i)));
    const itl = rows.find((r) => r.metric === 'itl_ms') as CalibrationRow;
    expect(itl.runToRunSd).toBeGreaterThan(0.005);
    expect(noise['itl_ms.p50']).toBeCloseTo(itl.runToRunSd, 4);
    expect(noise['itl_ms.p50']).toBeLessThan(noisePrior('itl_ms', 'p50'));
  });
  it('rejects --runs or --base-url with --results, and fewer than 3 runs', async () => {
    await expect(calibrateCommand(['--results', dir, '--runs', '4'], { out: () => {} })).rejects.toThrow(/^--results: reads stored runs; leave out --runs and --base-url$/);
    const one = join(dir, 'run-0.json');
    await expect(calibrateCommand(['--results', one], { out: () => {} })).rejects.toThrow(/holds 1 run; the noise needs at least 3/);
  });
});
