// Benchmark runs in virtual time for the gate's verdict-quality bench: the simulator's
// performance model (src/sim/engine.ts, the same BatchEngine the HTTP simulator drives)
// plays the default CI scenario without waiting, and its timings become a RunResult exactly
// as the client would have recorded them. Hundreds of runs take seconds.
import { computeScenarioMetrics } from '../src/metrics/compute.js';
import { DEFAULT_ENGINE_PARAMS, simulateVirtual } from '../src/sim/engine.js';
import type { EngineParams, VirtualRequest, VirtualTiming } from '../src/sim/engine.js';
import type { RequestRecord, RunResult, ScenarioResult } from '../src/types.js';
import { Random } from '../src/workload/random.js';

/** The default CI scenario the gate's defaults are tuned for (docs/statistics.md). */
export interface VirtualScenario {
  name: string;
  /** Poisson arrivals per second. */
  rate: number;
  /** Measured requests. */
  requests: number;
  warmup: number;
  inputTokens: number;
  outputTokens: number;
  /** Seeds the arrivals (the workload's seed: the same in baseline and candidate runs). */
  seed: number;
  /** A closed loop of this many users instead of Poisson arrivals (`rate` is then unused). */
  concurrency?: number;
}

/** The default scenario since it became a closed loop (src/config/load.ts DEFAULT_CONFIG_YAML). */
export const CLOSED_VIRTUAL_SCENARIO: VirtualScenario = {
  name: 'chat',
  rate: 0,
  requests: 64,
  warmup: 4,
  inputTokens: 256,
  outputTokens: 64,
  seed: 1,
  concurrency: 4,
};

export const DEFAULT_VIRTUAL_SCENARIO: VirtualScenario = {
  name: 'chat-poisson',
  rate: 4,
  requests: 200,
  warmup: 4,
  inputTokens: 256,
  outputTokens: 128,
  seed: 1,
};

/** The base epoch of virtual runs: any fixed instant works, latencies are differences. */
const BASE_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Seeded Poisson arrivals (ms from the start) for warmup + measured requests. */
export function poissonArrivals(scenario: VirtualScenario): VirtualRequest[] {
  const rng = new Random(scenario.seed);
  const out: VirtualRequest[] = [];
  let t = 0;
  for (let i = 0; i < scenario.warmup + scenario.requests; i++) {
    out.push({ id: `r${i}`, inputTokens: scenario.inputTokens, outputTokens: scenario.outputTokens, arrivalMs: t });
    t += (1000 * rng.exponential(scenario.rate)) as number;
  }
  return out;
}

/** One simulated request as the client would have recorded it. */
export function timingToRecord(t: VirtualTiming, scenario: string, inputTokens: number, startEpochMs: number): RequestRecord {
  const sentAt = startEpochMs + t.arrivalMs;
  return {
    id: t.id,
    scenario,
    status: 'ok',
    error: null,
    scheduledAt: sentAt,
    sentAt,
    ttftMs: t.firstTokenMs - t.arrivalMs,
    e2eMs: t.lastTokenMs - t.arrivalMs,
    streamEndMs: t.lastTokenMs - t.arrivalMs,
    inputTokens,
    outputTokens: t.tokenTimesMs.length,
    tokenSource: 'usage',
    chunkOffsetsMs: t.tokenTimesMs.map((x) => x - t.arrivalMs),
  };
}

/** A scenario result from virtual timings; the first `warmup` requests are left out, as the runner does. */
export function scenarioFromTimings(scenario: VirtualScenario, timings: VirtualTiming[], startEpochMs: number): ScenarioResult {
  const measured = timings.slice(scenario.warmup).map((t) => timingToRecord(t, scenario.name, scenario.inputTokens, startEpochMs));
  const startMs = Math.min(...measured.map((r) => r.sentAt));
  const endMs = Math.max(...measured.map((r) => r.sentAt + (r.e2eMs ?? 0)));
  return {
    name: scenario.name,
    config: {
      api: 'chat',
      workload: { input_tokens: scenario.inputTokens, output_tokens: scenario.outputTokens },
      load:
        scenario.concurrency !== undefined
          ? { type: 'concurrency', concurrency: scenario.concurrency, requests: scenario.requests, warmup: scenario.warmup }
          : { type: 'poisson', rate: scenario.rate, requests: scenario.requests, warmup: scenario.warmup },
    },
    window: { startMs, endMs },
    metrics: computeScenarioMetrics(measured, { startMs, endMs }),
    requests: measured,
  };
}

export interface VirtualRunOptions {
  /** Server speed factor (0.85 = every step takes 1/0.85 as long). */
  speed: number;
  /** Std of the per-start speed factor. */
  drift: number;
  /** Distinguishes starts: seeds the drift draw and the per-step jitter. */
  start: number;
  scenario?: VirtualScenario;
  engine?: Partial<EngineParams>;
}

/** One whole benchmark run of the scenario on a fresh simulated server start. */
export function virtualRun(opts: VirtualRunOptions): RunResult {
  const scenario = opts.scenario ?? DEFAULT_VIRTUAL_SCENARIO;
  const params: EngineParams = {
    ...DEFAULT_ENGINE_PARAMS,
    ...opts.engine,
    speed: opts.speed,
    drift: opts.drift,
    driftSeed: 1_000_003 * opts.start + 17,
    seed: 7_919 * opts.start + 3,
  };
  const timings =
    scenario.concurrency !== undefined
      ? simulateVirtual(params, poissonArrivals({ ...scenario, rate: 1 }), { kind: 'closed', concurrency: scenario.concurrency })
      : simulateVirtual(params, poissonArrivals(scenario), { kind: 'open' });
  const startEpochMs = BASE_EPOCH_MS + opts.start * 3_600_000;
  const result = scenarioFromTimings(scenario, timings, startEpochMs);
  return {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: '0.1.0' },
    startedAt: new Date(startEpochMs).toISOString(),
    target: { baseUrl: 'virtual://sim', model: 'sim-model', engine: 'sim' },
    environment: { commit: `start-${opts.start}` },
    clientHealth: {
      scheduleSlipMs: { p50: 0, p99: 0, max: 0 },
      eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
      trustworthy: true,
      reasons: [],
    },
    scenarios: [result],
  };
}
