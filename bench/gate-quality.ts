// The gate's verdict quality, reproducible with one command:
//   npx tsx bench/gate-quality.ts [--trials 200] [--drift 0.02] [--json OUT.json]
// Runs of the default CI scenario (bench/gate-virtual-runs.ts) are played in virtual time
// on the simulator's performance model, each on a fresh "start" with its own speed drift
// (std `--drift`) and per-step jitter. For each setting it counts the overall verdicts of
// gateRun with the default thresholds and priors. docs/statistics.md records the numbers.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gateRun } from '../src/gate/gate.js';
import type { GateDecision } from '../src/gate/types.js';
import type { RunResult } from '../src/types.js';
import { CLOSED_VIRTUAL_SCENARIO, DEFAULT_VIRTUAL_SCENARIO, virtualRun, type VirtualScenario } from './gate-virtual-runs.js';

interface Setting {
  name: string;
  historyRuns: number;
  speed: number;
  /** What counts as a hit: A/A wants no regression, A/B a regression with TPOT among the reasons. */
  kind: 'aa' | 'ab';
}

export const SETTINGS: Setting[] = [
  { name: 'A/A, one baseline', historyRuns: 1, speed: 1, kind: 'aa' },
  { name: 'A/B speed 0.85, one baseline', historyRuns: 1, speed: 0.85, kind: 'ab' },
  { name: 'A/A, history of 10', historyRuns: 10, speed: 1, kind: 'aa' },
  { name: 'A/B speed 0.9, history of 10', historyRuns: 10, speed: 0.9, kind: 'ab' },
];

export interface SettingOutcome {
  setting: string;
  trials: number;
  verdicts: Record<string, number>;
  /** A/B: regression with a TPOT regression among the comparisons. */
  tpotRegressions: number;
  /** Per metric.statistic: how often each verdict came up. */
  perComparison: Record<string, Record<string, number>>;
  seconds: number;
}

function tally(decision: GateDecision, out: SettingOutcome): void {
  out.verdicts[decision.verdict] = (out.verdicts[decision.verdict] ?? 0) + 1;
  if (decision.verdict === 'regression' && decision.comparisons.some((c) => c.metric === 'tpot_ms' && c.verdict === 'regression')) out.tpotRegressions++;
  for (const c of decision.comparisons) {
    const key = c.statistic === 'value' ? c.metric : `${c.metric}.${c.statistic}`;
    const row = (out.perComparison[key] ??= {});
    row[c.verdict] = (row[c.verdict] ?? 0) + 1;
  }
}

export function runSetting(setting: Setting, trials: number, drift: number, firstStart: number, scenario: VirtualScenario = DEFAULT_VIRTUAL_SCENARIO): SettingOutcome {
  const t0 = performance.now();
  const out: SettingOutcome = { setting: setting.name, trials, verdicts: {}, tpotRegressions: 0, perComparison: {}, seconds: 0 };
  let start = firstStart;
  for (let t = 0; t < trials; t++) {
    const history: RunResult[] = [];
    for (let h = 0; h < setting.historyRuns; h++) history.unshift(virtualRun({ speed: 1, drift, start: start++, scenario }));
    const current = virtualRun({ speed: setting.speed, drift, start: start++, scenario });
    tally(gateRun(current, history), out);
  }
  out.seconds = (performance.now() - t0) / 1000;
  return out;
}

function pct(n: number, d: number): string {
  return `${((100 * n) / d).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '200' },
      drift: { type: 'string', default: '0.02' },
      json: { type: 'string' },
      only: { type: 'string' },
      // poisson: the scenario the documented figures were measured with; closed: today's default scenario.
      scenario: { type: 'string', default: 'poisson' },
    },
  });
  const trials = Number(values.trials);
  const drift = Number(values.drift);
  if (values.scenario !== 'poisson' && values.scenario !== 'closed') throw new Error(`--scenario: '${values.scenario}' is not poisson or closed`);
  const s = values.scenario === 'closed' ? CLOSED_VIRTUAL_SCENARIO : DEFAULT_VIRTUAL_SCENARIO;
  const load = s.concurrency !== undefined ? `closed loop of ${s.concurrency}` : `Poisson ${s.rate}/s`;
  console.log(`scenario ${s.name}: ${load}, ${s.requests} measured requests (+${s.warmup} warmup), input ${s.inputTokens} / output ${s.outputTokens} tokens`);
  console.log(`drift ${drift} (std of the speed per start), ${trials} trials per setting\n`);
  const outcomes: SettingOutcome[] = [];
  for (const [i, setting] of SETTINGS.entries()) {
    if (values.only !== undefined && !setting.name.includes(values.only)) continue;
    const o = runSetting(setting, trials, drift, 1 + i * 1_000_000, s);
    outcomes.push(o);
    const v = o.verdicts;
    const hit = setting.kind === 'aa' ? `regression ${pct(v.regression ?? 0, trials)}, pass ${pct(v.pass ?? 0, trials)}` : `regression with TPOT ${pct(o.tpotRegressions, trials)}`;
    console.log(`${setting.name.padEnd(32)} ${hit}   verdicts ${JSON.stringify(v)}   (${o.seconds.toFixed(1)} s)`);
    for (const [k, row] of Object.entries(o.perComparison)) console.log(`    ${k.padEnd(30)} ${JSON.stringify(row)}`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ drift, trials, scenario: s, outcomes }, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
