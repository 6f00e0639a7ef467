// A scenario with stages, a sweep or an SLO search runs as several steps. Each step is an
// ordinary scenario (its own load, no stages/sweep/search) named `<scenario>@<label>`, and
// its result is an ordinary ScenarioResult whose config says which scenario it belongs to
// (`config.sweep = {of, index, offered}`), so results files, the gate and reports need no
// new concepts.
import type { LoadConfig, ScenarioConfig } from '../config/schema.js';
import type { ScenarioResult } from '../types.js';

/** Runs one step scenario and returns its result (run.ts supplies it: workload → load → client → metrics). */
export type RunStep = (step: ScenarioConfig) => Promise<ScenarioResult>;

/** What a step offered: the rate and/or concurrency it ran at. */
export interface OfferedLoad {
  rate?: number;
  concurrency?: number;
}

/** Stored as `config.sweep` of a step's result. */
export interface StepInfo {
  /** The scenario the step belongs to. */
  of: string;
  /** 0-based, in the order the steps ran. */
  index: number;
  /** What kind of step: a stage, a sweep point (with auto's calibration steps), or an SLO search probe. */
  kind: 'stage' | 'sweep' | 'synchronous' | 'throughput' | 'slo_search';
  offered: OfferedLoad;
  /** SLO search only: whether the step met the SLOs, and why not. */
  meetsSlo?: boolean;
  failures?: string[];
}

/** Rates and concurrencies as short, stable labels: 4, 2.5, 3.333. */
export function formatValue(x: number): string {
  return String(Number(x.toPrecision(6)));
}

export function stepLabel(of: 'rate' | 'concurrency', value: number): string {
  return `${of}=${formatValue(value)}`;
}

/**
 * The step scenario: the base scenario with `load` overridden, without stages, sweep or
 * search. Only the first step warms the server up; later ones find it warm.
 */
export function stepScenario(base: ScenarioConfig, label: string, index: number, load: Partial<LoadConfig>): ScenarioConfig {
  const { sweep: _sweep, slo_search: _search, ...rest } = base;
  void _sweep;
  void _search;
  const merged: LoadConfig = { ...base.load, ...load, warmup: index === 0 ? base.load.warmup : 0 };
  delete merged.stages;
  return { ...rest, name: `${base.name}@${label}`, load: merged };
}

/** The offered load of a step's config. */
export function offeredOf(load: LoadConfig): OfferedLoad {
  const out: OfferedLoad = {};
  if (load.type !== 'concurrency' && load.rate !== undefined) out.rate = load.rate;
  if (load.concurrency !== undefined) out.concurrency = load.concurrency;
  return out;
}

/** The result with its step information attached under config.sweep. */
export function withStepInfo(result: ScenarioResult, info: StepInfo): ScenarioResult {
  return { ...result, config: { ...result.config, sweep: info } };
}

/** The step information of a result, when it is a step of a multi-step scenario. */
export function stepInfoOf(result: ScenarioResult): StepInfo | null {
  const sweep = result.config.sweep as Partial<StepInfo> | undefined;
  if (!sweep || typeof sweep !== 'object' || typeof sweep.of !== 'string' || typeof sweep.index !== 'number') return null;
  return sweep as StepInfo;
}
