// SLO search: the highest request rate (or concurrency) whose steps still meet the SLOs.
// Bracket first (double from the start value while steps pass, halve while they fail), then
// bisect between the highest passing and the lowest failing value until they are within the
// tolerance, or until the time cap stops the search. The capacity is the highest passing
// value, reported with its bracket; it is a gateable run-level metric (capacity_rps /
// capacity_concurrency) on a result named after the scenario itself, so it compares
// across runs even though the probed values differ.
import type { ScenarioConfig, SloSearchConfig } from '../config/schema.js';
import { InputError } from '../errors.js';
import { computeScenarioMetrics } from '../metrics/compute.js';
import { constraintFailures, parseConstraint, type Constraint } from '../metrics/constraints.js';
import type { Clock, ScenarioResult } from '../types.js';
import { offeredOf, stepLabel, stepScenario, withStepInfo, type RunStep } from './steps.js';

export interface SloSearchOptions {
  clock: Clock;
  /** The run's per-request SLOs (top-level `slo`), used when the search gives none of its own. */
  slo?: Record<string, number>;
  signal?: AbortSignal;
}

export interface SloSearchProbe {
  value: number;
  meetsSlo: boolean;
  failures: string[];
  trustworthy: boolean;
}

/** Stored as `config.capacity` of the scenario's summary result. */
export interface SloSearchOutcome {
  of: 'rate' | 'concurrency';
  /** The highest value that met the SLOs; 0 when none did. */
  capacity: number;
  /** Highest passing and lowest failing value; null where the search never found one. */
  bracket: { passing: number | null; failing: number | null };
  tolerance: number;
  /** True when the bracket is within the tolerance (or pinned at a bound). */
  converged: boolean;
  /** Why the search stopped. */
  stopped: 'converged' | 'max' | 'min' | 'time_cap' | 'aborted';
  elapsedS: number;
  probes: SloSearchProbe[];
}

/** Whether a step met the search's SLOs, with the reasons when it did not. */
export function judgeStep(result: ScenarioResult, constraints: readonly Constraint[], attainment: number | undefined, slo: Record<string, number> | undefined): string[] {
  const failures = constraintFailures(constraints, result.metrics);
  if (attainment !== undefined && slo) {
    const got = computeScenarioMetrics(result.requests, result.window, { slo }).slo_attainment ?? 0;
    if (got < attainment) failures.push(`${(got * 100).toFixed(1)} % of requests met the SLOs, fewer than ${(attainment * 100).toFixed(1)} %`);
  }
  return failures;
}

/** The search state: the next value to probe, or null when done (with why). */
export function nextProbe(
  search: Pick<SloSearchConfig, 'of' | 'min' | 'max' | 'tolerance'>,
  passing: number | null,
  failing: number | null,
): { value: number } | { done: SloSearchOutcome['stopped'] } {
  const integer = search.of === 'concurrency';
  const min = integer ? Math.max(1, Math.ceil(search.min)) : search.min;
  const max = integer ? Math.floor(search.max) : search.max;
  if (failing === null) {
    if (passing === null) throw new RangeError('nextProbe needs at least one probe');
    if (passing >= max) return { done: 'max' };
    return { value: Math.min(max, passing * 2) };
  }
  if (passing === null) {
    if (failing <= min) return { done: 'min' };
    return { value: Math.max(min, integer ? Math.floor(failing / 2) : failing / 2) };
  }
  if (failing - passing <= search.tolerance * passing || (integer && failing - passing <= 1)) return { done: 'converged' };
  return { value: integer ? Math.floor((passing + failing) / 2) : (passing + failing) / 2 };
}

export async function runSloSearch(base: ScenarioConfig, search: SloSearchConfig, runStep: RunStep, opts: SloSearchOptions): Promise<ScenarioResult[]> {
  const constraints = search.constraints.map((text) => parseConstraint(text) as Constraint);
  const slo = search.slo ?? opts.slo;
  if (search.attainment !== undefined && (!slo || Object.keys(slo).length === 0)) {
    throw new InputError(`scenario '${base.name}': slo_search.attainment needs per-request SLOs: set slo_search.slo or the top-level slo (e.g. { ttft_ms: 500 })`);
  }
  const integer = search.of === 'concurrency';
  const startedAt = opts.clock.now();
  const given = search.start ?? (integer ? base.load.concurrency : base.load.rate) ?? 1;
  let value = Math.min(search.max, Math.max(search.min, integer ? Math.max(1, Math.round(given)) : given));
  let passing: number | null = null;
  let failing: number | null = null;
  let stopped: SloSearchOutcome['stopped'] = 'converged';
  const steps: ScenarioResult[] = [];
  const probes: SloSearchProbe[] = [];
  const byValue = new Map<number, ScenarioResult>();

  while (true) {
    if (opts.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    if (steps.length > 0 && opts.clock.now() - startedAt >= search.max_duration_s * 1000) {
      stopped = 'time_cap';
      break;
    }
    const index = steps.length;
    const step = stepScenario(base, stepLabel(search.of, value), index, { [search.of]: value });
    const raw = await runStep(step);
    const failures = judgeStep(raw, constraints, search.attainment, slo);
    const meetsSlo = failures.length === 0;
    const result = withStepInfo(raw, { of: base.name, index, kind: 'slo_search', offered: offeredOf(step.load), meetsSlo, failures });
    steps.push(result);
    byValue.set(value, result);
    probes.push({ value, meetsSlo, failures, trustworthy: raw.clientHealth?.trustworthy ?? true });
    if (meetsSlo) passing = value;
    else failing = value;
    const next = nextProbe(search, passing, failing);
    if ('done' in next) {
      stopped = next.done;
      break;
    }
    value = next.value;
  }

  const outcome: SloSearchOutcome = {
    of: search.of,
    capacity: passing ?? 0,
    bracket: { passing, failing },
    tolerance: search.tolerance,
    converged: stopped === 'converged' || stopped === 'max' || stopped === 'min',
    stopped,
    elapsedS: (opts.clock.now() - startedAt) / 1000,
    probes,
  };
  return [summaryResult(base, outcome, passing !== null ? byValue.get(passing) : lowestProbe(steps)), ...steps];
}

function lowestProbe(steps: ScenarioResult[]): ScenarioResult | undefined {
  return [...steps].sort((a, b) => offeredValue(a) - offeredValue(b))[0];
}

function offeredValue(r: ScenarioResult): number {
  const offered = (r.config.sweep as { offered?: { rate?: number; concurrency?: number } } | undefined)?.offered ?? {};
  return offered.rate ?? offered.concurrency ?? 0;
}

/**
 * The scenario's own result: the capacity step's window, metrics and requests (the lowest
 * probe's when nothing passed), plus the capacity as a run-level metric and the search's
 * outcome under config.capacity.
 */
function summaryResult(base: ScenarioConfig, outcome: SloSearchOutcome, at: ScenarioResult | undefined): ScenarioResult {
  if (!at) throw new RangeError('an SLO search always runs at least one step');
  const { sweep: _step, ...config } = at.config;
  void _step;
  const capacityKey = outcome.of === 'rate' ? 'capacity_rps' : 'capacity_concurrency';
  return {
    ...at,
    name: base.name,
    config: { ...config, name: base.name, capacity: outcome },
    metrics: { ...at.metrics, [capacityKey]: outcome.capacity },
  };
}
