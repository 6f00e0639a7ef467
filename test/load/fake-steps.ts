// A fake RunStep for the orchestration tests: a server with a known capacity, answered
// without time or network. Below the capacity every request's TTFT is 50 ms; above it the
// queue grows, so request i of n waits (rate − capacity) × i ms more.
import type { ScenarioConfig } from '../../src/config/schema.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import type { RunStep } from '../../src/load/steps.js';
import type { Clock, RequestRecord, ScenarioResult } from '../../src/types.js';

export interface FakeServer {
  runStep: RunStep;
  ran: ScenarioConfig[];
  clock: Clock;
}

export function fakeCapacityServer(opts: { capacityRps?: number; capacityConcurrency?: number; stepS?: number; requests?: number } = {}): FakeServer {
  const ran: ScenarioConfig[] = [];
  let now = 1_000_000;
  const clock: Clock = { now: () => now };
  const runStep: RunStep = async (step) => {
    ran.push(step);
    const n = opts.requests ?? 40;
    const load = step.load;
    // A closed loop of c users at 100 ms per request offers 10·c req/s and never builds a
    // queue (users wait); an open loop above the capacity does.
    const closed = load.type === 'concurrency';
    const offered = closed ? (load.concurrency ?? 1) * 10 : (load.rate ?? 1);
    const served = Math.min(offered, opts.capacityRps ?? Infinity);
    const rate = closed ? served : offered;
    const over = opts.capacityConcurrency !== undefined ? (load.concurrency ?? 1) - opts.capacityConcurrency : closed ? 0 : rate - served;
    const records: RequestRecord[] = Array.from({ length: n }, (_, i) => {
      const sentAt = now + (i * 1000) / rate;
      const ttft = 50 + Math.max(0, over) * i * 10;
      return {
        id: `${step.name}-${i}`,
        scenario: step.name,
        status: 'ok',
        error: null,
        scheduledAt: load.type === 'concurrency' ? null : sentAt,
        sentAt,
        ttftMs: ttft,
        e2eMs: ttft + 50,
        streamEndMs: ttft + 51,
        inputTokens: 10,
        outputTokens: 5,
        tokenSource: 'usage',
        chunkOffsetsMs: [ttft, ttft + 50],
      };
    });
    const window = { startMs: now, endMs: now + (n * 1000) / served };
    now += (opts.stepS ?? 10) * 1000;
    const metrics = computeScenarioMetrics(records, window);
    return { name: step.name, config: { name: step.name, load: step.load }, window, metrics, requests: records } satisfies ScenarioResult;
  };
  return { runStep, ran, clock };
}
