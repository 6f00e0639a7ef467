// The one entry point run.ts calls per scenario: a plain scenario is one step; stages, a
// sweep or an SLO search are several (each its own ScenarioResult, see steps.ts).
import type { ScenarioConfig } from '../config/schema.js';
import type { Clock, ScenarioResult } from '../types.js';
import { runSloSearch } from './slo-search.js';
import type { RunStep } from './steps.js';
import { runStages, runSweep, sweepValues } from './sweep.js';

export type { RunStep } from './steps.js';

export interface ScenarioStepsOptions {
  clock: Clock;
  /** The run's per-request SLOs (for an SLO search's attainment). */
  slo?: Record<string, number>;
  signal?: AbortSignal;
}

export async function runScenarioSteps(scenario: ScenarioConfig, runStep: RunStep, opts: ScenarioStepsOptions): Promise<ScenarioResult[]> {
  if (scenario.slo_search) return runSloSearch(scenario, scenario.slo_search, runStep, opts);
  if (scenario.sweep) return runSweep(scenario, scenario.sweep, runStep, opts);
  if (scenario.load.stages) return runStages(scenario, runStep, opts);
  return [await runStep(scenario)];
}

/** Seconds of requests in flight an open loop may pile up before the cap on connections matters. */
const OPEN_LOOP_BACKLOG_S = 30;

/**
 * An upper bound on the requests the scenario may have in flight at once: the largest
 * concurrency of any step, or rate × 30 s for open loops. A replay of timestamps has no rate
 * that governs it (counted as 1 req/s here); size its pool with plannedConnections.
 */
export function plannedMaxInFlight(s: ScenarioConfig, backlogS: number = OPEN_LOOP_BACKLOG_S): number {
  const loads = [s.load, ...(s.load.stages ?? []).map((st) => ({ ...s.load, ...st }))];
  const values: number[] = loads.map((l) => l.concurrency ?? Math.ceil((l.rate ?? 1) * backlogS));
  if (s.sweep) {
    if (s.sweep.auto !== undefined) values.push(s.sweep.auto === true ? 64 : s.sweep.auto.saturation_concurrency, 256);
    else for (const v of sweepValues(s.sweep)) values.push(s.sweep.of === 'concurrency' ? v : Math.ceil(v * backlogS));
  }
  if (s.slo_search) values.push(s.slo_search.of === 'concurrency' ? Math.floor(s.slo_search.max) : Math.ceil(s.slo_search.max * backlogS));
  return Math.max(1, ...values);
}

/**
 * Connections for a replay of a trace or a timed request log. Its requests carry their own
 * arrival times, so load.rate (if any) says nothing about how many are in flight, and the
 * peak is not known before the workload is read. undici opens sockets lazily, so a high
 * bound costs nothing until the load needs it; 4096 holds e.g. 400 req/s of 10 s streams,
 * stays under the 8192 run.ts allows and well under a runner's open-file limit (65536). A
 * load beyond it still queues in the client — and the run then says so (client health).
 */
export const REPLAY_MAX_CONNECTIONS = 4096;

/** True when the scenario's requests come with their own arrival times (an open loop on the workload's clock). */
export function replaysTimestamps(s: ScenarioConfig): boolean {
  const w = s.workload;
  return s.load.type !== 'concurrency' && (w.source === 'trace' || (w.source === 'request_log' && w.use_timestamps));
}

/**
 * How many connections the client's pool may open for the scenario: plannedMaxInFlight, or
 * for a timestamp replay without an in-flight cap, REPLAY_MAX_CONNECTIONS. (plannedMaxInFlight
 * stays the estimate of a typical load, which decides on worker threads.)
 */
export function plannedConnections(s: ScenarioConfig): number {
  const planned = plannedMaxInFlight(s);
  if (!replaysTimestamps(s) || s.load.concurrency !== undefined) return planned;
  return Math.max(planned, REPLAY_MAX_CONNECTIONS);
}
