// A small, valid RunResult for store tests (the stores never look inside the metrics).
import type { Distribution, RequestRecord, RunResult, ScenarioMetrics } from '../../src/types.js';

const dist = (v: number): Distribution => ({ count: 3, mean: v, std: 1, min: v - 1, p50: v, p90: v + 1, p95: v + 1, p99: v + 1, max: v + 1 });

function request(i: number, ttft: number): RequestRecord {
  return {
    id: `chat-${i}`,
    scenario: 'chat',
    status: 'ok',
    error: null,
    scheduledAt: 1_700_000_000_000 + i * 100,
    sentAt: 1_700_000_000_000 + i * 100 + 0.25,
    ttftMs: ttft,
    e2eMs: ttft + 90,
    streamEndMs: ttft + 91,
    inputTokens: 256,
    outputTokens: 10,
    tokenSource: 'usage',
    chunkOffsetsMs: [ttft, ttft + 10, ttft + 90],
  };
}

export function makeRun(tag: string, ttft = 50): RunResult {
  const metrics: ScenarioMetrics = {
    ttft_ms: dist(ttft),
    tpot_ms: dist(10),
    itl_ms: dist(10),
    e2e_ms: dist(ttft + 90),
    output_latency_ms: dist(90),
    input_throughput_tps: dist(5000),
    output_throughput_tps: dist(100),
    request_throughput_rps: 10,
    output_token_throughput_tps: 100,
    total_token_throughput_tps: 2660,
    goodput_rps: null,
    error_rate: 0,
    completed: 3,
    failed: 0,
    duration_s: 0.3,
    errors_by_kind: {},
    total_input_tokens: 768,
    total_output_tokens: 30,
    token_sources: { usage: 3 },
  };
  return {
    schemaVersion: 1,
    tool: { name: 'llm-perf-gate', version: '0.1.0' },
    startedAt: '2026-03-01T12:00:00.000Z',
    target: { baseUrl: 'http://127.0.0.1:8000', model: 'sim-model' },
    environment: { commit: `commit-${tag}`, ref: 'refs/heads/main' },
    clientHealth: {
      scheduleSlipMs: { p50: 0.1, p99: 0.5, max: 1 },
      eventLoopDelayMs: { p50: 0.1, p99: 0.5, max: 1 },
      trustworthy: true,
      reasons: [],
    },
    scenarios: [
      {
        name: 'chat',
        config: { name: 'chat' },
        window: { startMs: 1_700_000_000_000, endMs: 1_700_000_000_300 },
        metrics,
        requests: [request(0, ttft), request(1, ttft), request(2, ttft)],
      },
    ],
  };
}
