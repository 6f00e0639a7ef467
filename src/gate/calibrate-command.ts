// `llm-perf-gate calibrate`: measure the noise floor per gated metric from A/A runs — how
// much a statistic moves between runs of unchanged code (σ per run, on the log scale), how
// much of that is within-run sampling (the paired block bootstrap's τ, as the gate measures
// it), and the run-to-run rest σ_rr that `gate.noise` takes (the gate adds τ² back itself).
// Runs made back to back against one server start (the default) miss the drift between CI
// runs, so their suggestions are never below the documented priors and default thresholds;
// `--results PATH` reads results of separate CI runs, whose spread is the real thing.
import { parseArgs } from 'node:util';
import { loadHistory } from '../baseline/history.js';
import { DEFAULT_CONFIG_YAML, loadConfigFile, parseConfigText } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { InputError } from '../errors.js';
import { runConfig } from '../run.js';
import type { RunResult, ScenarioResult } from '../types.js';
import { hasBlocking, runFingerprintDiffs, scenarioFingerprintDiffs } from './fingerprint.js';
import { higherIsBetter, noisePrior, statisticValue } from './metric-catalog.js';
import { resolveThresholds } from './thresholds.js';
import { withinRunVariance } from './within-run.js';

export interface CalibrationRow {
  scenario: string;
  metric: string;
  statistic: string;
  runs: number;
  /** sd of log(value) across the runs: the whole per-run noise σ_run. */
  perRunSd: number;
  /** Within-run sd τ as the gate sees it: paired with other runs of the same workload when they kept requests. */
  withinSd: number;
  /** The run-to-run part: √max(0, σ_run² − τ²) — what gate.noise takes. */
  runToRunSd: number;
  /** Smallest relative threshold for which one-baseline A/A comparisons stay decided, from the measured σ_run. */
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

/** Runs whose τ is bootstrapped (each paired with up to three others): τ of a median of a few hundred requests is itself noisy, so average several; beyond 20 more only cost time. */
const TAU_RUNS = 20;

/**
 * τ² of one run as the gate estimates it (withinRunVariance: paired with the other runs that
 * kept their requests, else the run's own bootstrap), averaged over the first few runs; 0
 * when no run kept requests (a compacted history), so σ_rr is then the whole spread.
 */
function meanWithinVar(same: ScenarioResult[], metric: string, statistic: string): number {
  const withRequests = same.filter((s) => s.requests.length > 1);
  const vars = withRequests.slice(0, TAU_RUNS).map((s) => withinRunVariance(s, withRequests.filter((o) => o !== s), metric, statistic).perRunVar);
  const finite = vars.filter((v) => Number.isFinite(v));
  return finite.length ? finite.reduce((a, v) => a + v, 0) / finite.length : 0;
}

/**
 * The calibration table from A/A runs of one config (pure: the runs are given). The first
 * run is the reference: runs and scenarios whose model, GPU or workload differ from it are
 * left out, as the gate would not compare them either.
 */
export function calibrateFromRuns(runs: RunResult[], thresholds?: Record<string, string>): CalibrationRow[] {
  if (runs.length < 3) throw new InputError(`calibrate: needs at least 3 runs to measure the noise, got ${runs.length}`);
  const reference = runs[0];
  const comparable = runs.filter((r) => !hasBlocking(runFingerprintDiffs(r, reference)));
  const rows: CalibrationRow[] = [];
  const { relative } = resolveThresholds(thresholds);
  for (const scenario of reference.scenarios) {
    const same = comparable
      .map((r) => r.scenarios.find((s) => s.name === scenario.name))
      .filter((s): s is ScenarioResult => s !== undefined && !hasBlocking(scenarioFingerprintDiffs(s, scenario)));
    for (const t of relative) {
      if (t.metric === 'error_rate') continue;
      const withValue = same.filter((s) => {
        const v = statisticValue(s, t.metric, t.statistic);
        return v !== null && v > 0;
      });
      if (withValue.length < 3) continue;
      const perRunSd = sd(withValue.map((s) => Math.log(statisticValue(s, t.metric, t.statistic) as number)));
      const withinVar = meanWithinVar(withValue, t.metric, t.statistic);
      rows.push({
        scenario: scenario.name,
        metric: t.metric,
        statistic: t.statistic,
        runs: withValue.length,
        perRunSd,
        withinSd: Math.sqrt(withinVar),
        runToRunSd: Math.sqrt(Math.max(0, perRunSd * perRunSd - withinVar)),
        supportedThreshold: supportedThreshold(perRunSd),
      });
    }
  }
  return rows;
}

export interface CalibrationSuggestion {
  /** Per metric.statistic: the gate.noise value to write (σ_rr). */
  noise: Map<string, number>;
  /** Per metric.statistic: the relative threshold it supports, e.g. "+7%". */
  thresholds: Map<string, string>;
  /** Keys whose measured noise or threshold was raised to the documented prior or default. */
  raised: string[];
}

/** gate.noise's schema needs a positive value: a run-to-run part that measured 0 is written as this. */
const MIN_NOISE = 0.001;

/**
 * What to put into the config. Per metric.statistic, the largest over scenarios so no
 * scenario is under-covered. σ_rr goes into gate.noise (the gate adds τ² itself); the
 * threshold is the one supported by the σ_run the gate will then use, √(noise² + τ²).
 * Unless the runs came from separate server starts, the noise is at least the documented
 * prior and the threshold at least the default: back-to-back runs cannot see the drift
 * between CI runs, and a gate tuned to them cries wolf.
 */
export function suggestSettings(rows: CalibrationRow[], opts: { separateStarts: boolean }): CalibrationSuggestion {
  const byKey = new Map<string, { metric: string; statistic: string; rr: number; within: number }>();
  for (const r of rows) {
    const key = r.statistic === 'value' ? r.metric : `${r.metric}.${r.statistic}`;
    const prev = byKey.get(key);
    byKey.set(key, { metric: r.metric, statistic: r.statistic, rr: Math.max(prev?.rr ?? 0, r.runToRunSd), within: Math.max(prev?.within ?? 0, r.withinSd) });
  }
  const defaults = new Map(resolveThresholds().relative.map((t) => [`${t.metric}.${t.statistic}`, t.magnitude]));
  const noise = new Map<string, number>();
  const thresholds = new Map<string, string>();
  const raised: string[] = [];
  for (const [key, k] of byKey) {
    const measured = Math.max(MIN_NOISE, k.rr);
    const value = opts.separateStarts ? measured : Math.max(measured, noisePrior(k.metric, k.statistic));
    const supported = Math.max(0.01, Math.ceil(100 * supportedThreshold(Math.hypot(value, k.within))) / 100);
    const threshold = opts.separateStarts ? supported : Math.max(supported, defaults.get(`${k.metric}.${k.statistic}`) ?? 0);
    if (value > measured || threshold > supported) raised.push(key);
    noise.set(key, value);
    // Two decimals of a percent: a default such as +7% prints as 7, a measured 7.3 % rounds up to 8.
    thresholds.set(key, `${higherIsBetter(k.metric) ? '-' : '+'}${Number((100 * threshold).toFixed(2))}%`);
  }
  return { noise, thresholds, raised };
}

/** The table and a YAML snippet for the config. */
export function formatCalibration(rows: CalibrationRow[], opts: { separateStarts: boolean } = { separateStarts: false }): string {
  const lines = ['scenario / metric               runs   per-run sd   within sd   run-to-run   supports threshold'];
  for (const r of rows) {
    const key = r.statistic === 'value' ? r.metric : `${r.metric}.${r.statistic}`;
    lines.push(
      `${`${r.scenario} / ${key}`.slice(0, 32).padEnd(32)} ${String(r.runs).padStart(4)}   ${(100 * r.perRunSd).toFixed(2).padStart(8)} %  ${(100 * r.withinSd).toFixed(2).padStart(7)} %  ${(100 * r.runToRunSd).toFixed(2).padStart(8)} %   ${(100 * r.supportedThreshold).toFixed(1).padStart(6)} %`,
    );
  }
  const suggestion = suggestSettings(rows, opts);
  if (suggestion.raised.length > 0) {
    lines.push(
      '',
      `warning: runs against one server start miss the drift between CI runs; raised to the documented prior noise / default threshold: ${suggestion.raised.join(', ')} (measure separate CI runs with --results PATH)`,
    );
  }
  lines.push('', '# For your config: the run-to-run noise (the gate adds the within-run part itself) and the thresholds it supports.', 'gate:', '  noise:');
  for (const [k, v] of suggestion.noise) lines.push(`    ${k}: ${v.toFixed(4)}`);
  lines.push('thresholds:');
  for (const [k, v] of suggestion.thresholds) lines.push(`  ${k}: "${v}"`);
  return lines.join('\n') + '\n';
}

export const CALIBRATE_HELP = `llm-perf-gate calibrate — measure the noise floor of a server with A/A runs

Usage: llm-perf-gate calibrate [--config FILE] [--base-url URL] [--runs N]
       llm-perf-gate calibrate --results PATH [--config FILE]

  --config FILE     the scenarios to run, and the thresholds to calibrate
                    (default: the built-in default scenario and thresholds)
  --base-url URL    the server (root or /v1)                     [config target.base_url]
  --runs N          how many identical runs (at least 3)         [5]
  --results PATH    instead of running: results of separate CI runs of unchanged code —
                    a results file, a JSONL history (the data branch's) or a directory
                    of them; runs of another model, GPU or workload are left out

Prints, per gated metric, the noise per run (and its within-run and run-to-run parts) and
the smallest threshold it supports, and a gate.noise / thresholds snippet for the config.
Runs made here share one server start and miss the drift between CI runs, so the snippet
never goes below the documented priors and default thresholds; only --results, from runs
on separate starts or runners, can lower them.
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
      options: {
        config: { type: 'string' },
        'base-url': { type: 'string' },
        runs: { type: 'string' },
        results: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new InputError(`${(e as Error).message.split('\n')[0]} (see llm-perf-gate calibrate --help)`);
  }
  if (values.help) {
    out(CALIBRATE_HELP);
    return 0;
  }
  const config = values.config ? await loadConfigFile(values.config) : parseConfigText(DEFAULT_CONFIG_YAML, 'the default scenario');
  if (values.results !== undefined) {
    if (values.runs !== undefined || values['base-url'] !== undefined) throw new InputError('--results: reads stored runs; leave out --runs and --base-url');
    const runs = await loadHistory([values.results]);
    if (runs.length < 3) throw new InputError(`--results: ${values.results} holds ${runs.length} run${runs.length === 1 ? '' : 's'}; the noise needs at least 3`);
    out(`${runs.length} stored runs from ${values.results}, newest ${runs[0].startedAt}\n\n`);
    out(formatCalibration(calibrateFromRuns(runs, config.thresholds), { separateStarts: true }));
    return 0;
  }
  const count = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(count) || count < 3 || count > 100) throw new InputError(`--runs: '${values.runs}' must be a whole number from 3 to 100`);
  const runOnce = deps.runOnce ?? runConfig;
  const runs: RunResult[] = [];
  for (let i = 0; i < count; i++) {
    out(`run ${i + 1} of ${count}…\n`);
    runs.push(await runOnce(config, { baseUrl: values['base-url'] }));
  }
  out('\n' + formatCalibration(calibrateFromRuns(runs, config.thresholds), { separateStarts: false }));
  return 0;
}
