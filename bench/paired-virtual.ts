// Paired jobs in virtual time, under strong environment noise (issue 8):
//  - a machine factor per job: speed × (1 + 0.10·z), z ~ N(0, 1) from the job's own seed,
//    shared by both servers of the job (they run on the same runner);
//  - a slow wander of the speed within the job: × (1 + a·sin(2π t / P + φ)), t the run's
//    start in the job, a few percent, the phase φ drawn per job;
//  - per-step jitter (3 %) with its own seed in every run.
// Each job runs k rounds A B A B … through runPairedRounds (the orchestration the action
// uses), each run the same seeded workload on the simulator's performance model in
// virtual time (bench/gate-virtual-runs.ts converts the timings into request records).
import type { PairedRound } from '../src/gate/paired.js';
import { runPairedRounds } from '../src/paired/rounds.js';
import { DEFAULT_ENGINE_PARAMS, driftFactor, simulateVirtual } from '../src/sim/engine.js';
import type { EngineParams } from '../src/sim/engine.js';
import { mulberry32 } from '../src/sim/random.js';
import type { RunResult } from '../src/types.js';
import { poissonArrivals, scenarioFromTimings, type VirtualScenario } from './gate-virtual-runs.js';

/** One paired round's scenario: the default CI scenario, shortened to 100 requests (~25 s per run). */
export const PAIRED_VIRTUAL_SCENARIO: VirtualScenario = {
  name: 'chat-poisson',
  rate: 4,
  requests: 100,
  warmup: 4,
  inputTokens: 256,
  outputTokens: 128,
  seed: 1,
};

export interface EnvironmentNoise {
  /** Std of the per-job machine factor. */
  machine: number;
  /** Amplitude of the within-job wander of the speed. */
  wanderAmplitude: number;
  /** Its period, seconds. */
  wanderPeriodS: number;
}

export const STRONG_NOISE: EnvironmentNoise = { machine: 0.1, wanderAmplitude: 0.04, wanderPeriodS: 600 };

export interface PairedJobOptions {
  /** Distinguishes jobs: seeds the machine factor, the wander's phase and every run's jitter. */
  job: number;
  rounds: number;
  noise: EnvironmentNoise;
  /** The candidate's decode-step cost factor (1.05 = every decode step 5 % slower). */
  candidateDecodeFactor: number;
  scenario?: VirtualScenario;
}

const BASE_EPOCH_MS = Date.UTC(2026, 0, 1);

function runResult(scenario: VirtualScenario, params: EngineParams, startEpochMs: number, baseUrl: string): { run: RunResult; durationMs: number } {
  const timings = simulateVirtual(params, poissonArrivals(scenario), { kind: 'open' });
  const durationMs = Math.max(...timings.map((t) => t.lastTokenMs));
  const result = scenarioFromTimings(scenario, timings, startEpochMs);
  const run: RunResult = {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: '0.1.0' },
    startedAt: new Date(startEpochMs).toISOString(),
    target: { baseUrl, model: 'sim-model', engine: 'sim' },
    environment: {},
    clientHealth: { scheduleSlipMs: { p50: 0, p99: 0, max: 0 }, eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, trustworthy: true, reasons: [] },
    scenarios: [result],
  };
  return { run, durationMs };
}

/** The machine factor and wander phase of a job, from its own seed. */
export function jobEnvironment(job: number, noise: EnvironmentNoise): { machine: number; phase: number } {
  const machine = driftFactor(noise.machine, 2_147_483 * job + 11);
  const phase = 2 * Math.PI * mulberry32((job * 0x9e3779b1) >>> 0)();
  return { machine, phase };
}

/** One CI job of paired rounds: k rounds A B A B … on one (simulated) runner. */
export async function pairedVirtualJob(o: PairedJobOptions): Promise<PairedRound[]> {
  const scenario = o.scenario ?? PAIRED_VIRTUAL_SCENARIO;
  const env = jobEnvironment(o.job, o.noise);
  let elapsedMs = 0;
  let runNo = 0;
  return runPairedRounds({ baselineUrl: 'virtual://a', candidateUrl: 'virtual://b', rounds: o.rounds }, async (baseUrl, _round, side) => {
    const wander = 1 + o.noise.wanderAmplitude * Math.sin((2 * Math.PI * elapsedMs) / (o.noise.wanderPeriodS * 1000) + env.phase);
    const decode = side === 'candidate' ? o.candidateDecodeFactor : 1;
    const params: EngineParams = {
      ...DEFAULT_ENGINE_PARAMS,
      speed: env.machine * wander,
      decodeBaseMs: DEFAULT_ENGINE_PARAMS.decodeBaseMs * decode,
      decodePerSeqMs: DEFAULT_ENGINE_PARAMS.decodePerSeqMs * decode,
      seed: 7_919 * (o.job * 1000 + runNo++) + 3,
    };
    const { run, durationMs } = runResult(scenario, params, BASE_EPOCH_MS + o.job * 3_600_000 + elapsedMs, baseUrl);
    elapsedMs += durationMs;
    return run;
  });
}
