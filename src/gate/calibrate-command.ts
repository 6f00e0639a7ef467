// `llm-perf-gate calibrate`: run the same benchmark several times against one server (A/A)
// and measure the noise floor per gated metric: how much a statistic moves between runs of
// unchanged code (σ per run, on the log scale), how much of it is within-run sampling
// (the block bootstrap's τ), and the smallest relative threshold that noise supports.
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_YAML, loadConfigFile, parseConfigText } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { InputError } from '../errors.js';
import { runConfig } from '../run.js';
import type { RunResult } from '../types.js';
import { statisticValue } from './gate.js';
import { resolveThresholds } from './thresholds.js';
import { withinRunLogSd } from './within-run.js';

export interface CalibrationRow {
  scenario: string;
  metric: string;
  statistic: string;
  runs: number;
  /** sd of log(value) across the runs: the whole per-run noise σ_run. */
  perRunSd: number;
  /** Mean within-run sd (block bootstrap, unpaired). */
  withinSd: number;
  /** The run-to-run part: √max(0, σ_run² − τ²) — what gate.noise takes. */
  runToRunSd: number;
  /** Smallest relative threshold for which one-baseline A/A comparisons stay decided. */
  supportedThreshold: number;
}

/**
 * With one baseline the comparison's se is √2·σ_run; an unchanged run is then inconclusive
 * (hi = m + 1.645·se > 2T) in under 2.5 % of runs when log(1 + 2T) ≥ (1.645 + 1.96)·se.
 */
export function supportedThreshold(perRunSd: number): number {
  const se = Math.SQRT2 * perRunSd;
  return (Math.exp((1.645 + 1.96) * se) - 1) / 2;
}

function sd(xs: number[]): number {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / Math.max(1, xs.length - 1));
}

/** The calibration table from A/A runs of one config (pure: the runs are given). */
export function calibrateFromRuns(runs: RunResult[], thresholds?: Record<string, string>): CalibrationRow[] {
  if (runs.length < 3) throw new InputError(`calibrate: needs at least 3 runs to measure the noise, got ${runs.length}`);
  const rows: CalibrationRow[] = [];
  const { relative } = resolveThresholds(thresholds);
  for (const scenario of runs[0].scenarios) {
    for (const t of relative) {
      if (t.metric === 'error_rate') continue;
      const same = runs.map((r) => r.scenarios.find((s) => s.name === scenario.name)).filter((s) => s !== undefined);
      const values = same.map((s) => statisticValue(s, t.metric, t.statistic)).filter((v): v is number => v !== null && v > 0);
      if (values.length < 3) continue;
      const perRunSd = sd(values.map((v) => Math.log(v)));
      const withins = same.map((s) => withinRunLogSd(s, t.metric, t.statistic)).filter((w) => Number.isFinite(w));
      const withinSd = withins.length ? Math.sqrt(withins.reduce((a, w) => a + w * w, 0) / withins.length) : 0;
      rows.push({
        scenario: scenario.name,
        metric: t.metric,
        statistic: t.statistic,
        runs: values.length,
        perRunSd,
        withinSd,
        runToRunSd: Math.sqrt(Math.max(0, perRunSd * perRunSd - withinSd * withinSd)),
        supportedThreshold: supportedThreshold(perRunSd),
      });
    }
  }
  return rows;
}

/** The table and a YAML snippet for the config. */
export function formatCalibration(rows: CalibrationRow[]): string {
  const lines = ['scenario / metric               runs   per-run sd   within sd   run-to-run   supports threshold'];
  for (const r of rows) {
    const key = r.statistic === 'value' ? r.metric : `${r.metric}.${r.statistic}`;
    lines.push(
      `${`${r.scenario} / ${key}`.slice(0, 32).padEnd(32)} ${String(r.runs).padStart(4)}   ${(100 * r.perRunSd).toFixed(2).padStart(8)} %  ${(100 * r.withinSd).toFixed(2).padStart(7)} %  ${(100 * r.runToRunSd).toFixed(2).padStart(8)} %   ${(100 * r.supportedThreshold).toFixed(1).padStart(6)} %`,
    );
  }
  // One noise entry per metric.statistic: the largest over scenarios, so no scenario is under-covered.
  const noise = new Map<string, number>();
  const supports = new Map<string, number>();
  for (const r of rows) {
    const key = r.statistic === 'value' ? r.metric : `${r.metric}.${r.statistic}`;
    noise.set(key, Math.max(noise.get(key) ?? 0, r.perRunSd));
    supports.set(key, Math.max(supports.get(key) ?? 0, r.supportedThreshold));
  }
  lines.push('', '# For your config: the measured noise (within + run-to-run, per run) and thresholds it supports.', 'gate:', '  noise:');
  for (const [k, v] of noise) lines.push(`    ${k}: ${Math.max(0.001, v).toFixed(4)}`);
  lines.push('thresholds:');
  for (const [k, v] of supports) {
    const sign = k.includes('throughput') || k.endsWith('_rps') ? '-' : '+';
    lines.push(`  ${k}: "${sign}${Math.max(1, Math.ceil(100 * v))}%"`);
  }
  return lines.join('\n') + '\n';
}

export const CALIBRATE_HELP = `llm-perf-gate calibrate — measure the noise floor of a server with A/A runs

Usage: llm-perf-gate calibrate [--config FILE] [--base-url URL] [--runs N]

  --config FILE     the scenarios to run (default: the built-in default scenario)
  --base-url URL    the server (root or /v1)                     [config target.base_url]
  --runs N          how many identical runs (at least 3)         [5]

Prints, per gated metric, the noise per run and the smallest threshold it supports, and a
gate.noise / thresholds snippet for the config. Run it on the machine CI will use: the
noise between runs there is what the gate must not mistake for a regression.
`;

export type RunOnce = (config: Config, opts: { baseUrl?: string; log?: (line: string) => void }) => Promise<RunResult>;

export async function calibrateCommand(
  argv: string[],
  deps: { runOnce?: RunOnce; out?: (text: string) => void } = {},
): Promise<number> {
  const out = deps.out ?? ((t: string) => process.stdout.write(t));
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, 'base-url': { type: 'string' }, runs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (e) {
    throw new InputError(`${(e as Error).message.split('\n')[0]} (see llm-perf-gate calibrate --help)`);
  }
  if (values.help) {
    out(CALIBRATE_HELP);
    return 0;
  }
  const count = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(count) || count < 3 || count > 100) throw new InputError(`--runs: '${values.runs}' must be a whole number from 3 to 100`);
  const config = values.config ? await loadConfigFile(values.config) : parseConfigText(DEFAULT_CONFIG_YAML, 'the default scenario');
  const runOnce = deps.runOnce ?? runConfig;
  const runs: RunResult[] = [];
  for (let i = 0; i < count; i++) {
    out(`run ${i + 1} of ${count}…\n`);
    runs.push(await runOnce(config, { baseUrl: values['base-url'] }));
  }
  out('\n' + formatCalibration(calibrateFromRuns(runs, config.thresholds)));
  return 0;
}
