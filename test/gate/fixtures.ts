// Test runs: small virtual-time runs of the simulator model, and synthetic runs with a known
// true ratio and known noise for the coverage test.
import { virtualRun } from '../../bench/gate-virtual-runs.js';
import type { VirtualScenario } from '../../bench/gate-virtual-runs.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import type { RequestRecord, RunResult } from '../../src/types.js';
import { Random } from '../../src/workload/random.js';

export const SMALL_SCENARIO: VirtualScenario = { name: 'chat', rate: 4, requests: 60, warmup: 2, inputTokens: 128, outputTokens: 24, seed: 3 };

export function smallRun(start: number, speed = 1, drift = 0.02): RunResult {
  return virtualRun({ speed, drift, start, scenario: SMALL_SCENARIO });
}

export interface SyntheticRunOptions {
  /** Seeds the shared workload part (the same in baseline and candidate, like a fixed config seed). */
  workloadSeed: number;
  /** Seeds this run's own noise. */
  runSeed: number;
  /** Multiplies every latency: drift × true ratio. */
  factor: number;
  requests?: number;
  /** AR(1) coefficient of the shared per-request effect. */
  phi?: number;
  name?: string;
}

/**
 * TPOT per request = 20 ms × factor × exp(a_j + e_ij): a_j an AR(1) series shared by runs of
 * one workload seed (sd 0.3), e_ij independent per run (sd 0.05). TTFT and E2E follow.
 */
export function syntheticRun(o: SyntheticRunOptions): RunResult {
  const n = o.requests ?? 200;
  const phi = o.phi ?? 0.8;
  const shared = new Random(o.workloadSeed);
  const own = new Random(o.runSeed);
  const records: RequestRecord[] = [];
  let a = 0;
  const t0 = 1_767_225_600_000;
  for (let j = 0; j < n; j++) {
    a = phi * a + Math.sqrt(1 - phi * phi) * shared.normal(0, 0.3);
    const tpot = 20 * o.factor * Math.exp(a + own.normal(0, 0.05));
    const ttft = 60 * o.factor * Math.exp(0.5 * a + own.normal(0, 0.05));
    const out = 16;
    const offsets = Array.from({ length: out }, (_, k) => ttft + k * tpot);
    const sentAt = t0 + j * 250;
    records.push({
      id: `r${j}`,
      scenario: o.name ?? 'synthetic',
      status: 'ok',
      error: null,
      scheduledAt: sentAt,
      sentAt,
      ttftMs: ttft,
      e2eMs: offsets[out - 1],
      streamEndMs: offsets[out - 1],
      inputTokens: 100,
      outputTokens: out,
      tokenSource: 'usage',
      chunkOffsetsMs: offsets,
    });
  }
  const window = { startMs: t0, endMs: Math.max(...records.map((r) => r.sentAt + (r.e2eMs ?? 0))) };
  return {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: '0.1.0' },
    startedAt: new Date(t0 + o.runSeed * 1000).toISOString(),
    target: { baseUrl: 'http://127.0.0.1:8000', model: 'm' },
    environment: {},
    clientHealth: { scheduleSlipMs: { p50: 0, p99: 0, max: 0 }, eventLoopDelayMs: { p50: 0, p99: 0, max: 0 }, trustworthy: true, reasons: [] },
    scenarios: [{ name: o.name ?? 'synthetic', config: { load: { type: 'poisson', rate: 4 } }, window, metrics: computeScenarioMetrics(records, window), requests: records }],
  };
}
