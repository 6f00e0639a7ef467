// Stages and sweeps: one scenario run at several loads, one step each, every step reported.
// An automatic sweep first measures the synchronous rate (one user, one request at a time)
// and the saturation rate (a closed loop of many users), then spreads open-loop rates
// evenly between them (guidellm's `sweep` profile).
import type { ScenarioConfig, SweepConfig } from '../config/schema.js';
import { mergeStage } from '../config/load-schema.js';
import { RunFailedError } from '../errors.js';
import type { ScenarioResult } from '../types.js';
import { offeredOf, stepLabel, stepScenario, withStepInfo, type RunStep, type StepInfo } from './steps.js';

export interface StepRunOptions {
  /** Checked between steps: once aborted, no further step starts. */
  signal?: AbortSignal;
}

/** The values of an explicit, linear or geometric sweep (concurrencies rounded and deduplicated). */
export function sweepValues(sweep: SweepConfig): number[] {
  let values: number[];
  if (sweep.values) values = [...sweep.values];
  else if (sweep.linear) {
    const { from, to, steps } = sweep.linear;
    values = Array.from({ length: steps }, (_, i) => from + ((to - from) * i) / (steps - 1));
  } else if (sweep.geometric) {
    const { from, to, steps } = sweep.geometric;
    values = Array.from({ length: steps }, (_, i) => from * (to / from) ** (i / (steps - 1)));
  } else {
    throw new RangeError('an automatic sweep has no values before it measures');
  }
  if (sweep.of === 'concurrency') values = values.map((v) => Math.max(1, Math.round(v)));
  return values.filter((v, i) => values.indexOf(v) === i);
}

/** `steps` rates evenly spaced strictly between the synchronous and the saturation rate. */
export function autoRates(synchronousRps: number, saturationRps: number, steps: number): number[] {
  const lo = Math.min(synchronousRps, saturationRps);
  const hi = Math.max(synchronousRps, saturationRps);
  return Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * (i + 1)) / (steps + 1));
}

async function runOne(runStep: RunStep, step: ScenarioConfig, info: Omit<StepInfo, 'offered'>): Promise<ScenarioResult> {
  const result = await runStep(step);
  return withStepInfo(result, { ...info, offered: offeredOf(step.load) });
}

/** Runs `load.stages` in order, each a step named `<scenario>@stage=<n>`. */
export async function runStages(base: ScenarioConfig, runStep: RunStep, opts: StepRunOptions = {}): Promise<ScenarioResult[]> {
  const stages = base.load.stages ?? [];
  const out: ScenarioResult[] = [];
  for (const [index, stage] of stages.entries()) {
    if (opts.signal?.aborted) break;
    const step = stepScenario(base, `stage=${index + 1}`, index, mergeStage(base.load, stage));
    out.push(await runOne(runStep, step, { of: base.name, index, kind: 'stage' }));
  }
  return out;
}

/** Runs a sweep (explicit, linear, geometric or auto), each step named `<scenario>@rate=4` (auto: `@synchronous`, `@throughput`, `@auto-1`…). */
export async function runSweep(base: ScenarioConfig, sweep: SweepConfig, runStep: RunStep, opts: StepRunOptions = {}): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  const run = async (label: string, load: Parameters<typeof stepScenario>[3], kind: StepInfo['kind']): Promise<ScenarioResult | null> => {
    if (opts.signal?.aborted) return null;
    const index = out.length;
    const result = await runOne(runStep, stepScenario(base, label, index, load), { of: base.name, index, kind });
    out.push(result);
    return result;
  };

  if (sweep.auto === undefined) {
    for (const value of sweepValues(sweep)) await run(stepLabel(sweep.of, value), { [sweep.of]: value }, 'sweep');
    return out;
  }

  const auto = sweep.auto === true ? { steps: 5, saturation_concurrency: 64 } : sweep.auto;
  // The calibration steps are closed loops at the scenario's request count or duration;
  // arrival shaping and think time belong to the open-loop steps only.
  const closed = { type: 'concurrency' as const, rate: undefined, burstiness: undefined, ramp_up_s: undefined, fluctuation: undefined, think_time_ms: undefined };
  const sync = await run('synchronous', { ...closed, concurrency: 1 }, 'synchronous');
  const saturated = await run('throughput', { ...closed, concurrency: auto.saturation_concurrency }, 'throughput');
  if (!sync || !saturated) return out;
  const syncRps = sync.metrics.request_throughput_rps;
  const satRps = saturated.metrics.request_throughput_rps;
  if (!(syncRps > 0) || !(satRps > 0)) {
    throw new RunFailedError(
      `scenario '${base.name}': the automatic sweep measured ${syncRps.toFixed(3)} req/s synchronous and ${satRps.toFixed(3)} req/s at saturation; it needs both above 0 to place its steps`,
    );
  }
  // The open-loop steps keep the scenario's own concurrency cap only; the calibration's is dropped.
  for (const [i, rate] of autoRates(syncRps, satRps, auto.steps).entries()) {
    await run(`auto-${i + 1}`, { rate, concurrency: base.load.concurrency }, 'sweep');
  }
  return out;
}
