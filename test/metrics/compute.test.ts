import { describe, expect, it } from 'vitest';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { InputError } from '../../src/errors.js';
import { SAMPLE_RECORDS, SAMPLE_WINDOW, okRecord } from './records.js';

describe('computeScenarioMetrics', () => {
  const m = computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { ttft_ms: 300, tpot_ms: 200 } });

  it('takes latency distributions from successful requests only', () => {
    expect(m.ttft_ms).toMatchObject({ count: 3, min: 125, p50: 250, max: 500 });
    expect(m.e2e_ms).toMatchObject({ count: 3, min: 250, p50: 625, max: 1500 });
    // Output latency = E2E − TTFT: 500, 0, 1000.
    expect(m.output_latency_ms).toMatchObject({ count: 3, min: 0, p50: 500, max: 1000, mean: 500 });
  });

  it('computes TPOT as (E2E − TTFT)/(out − 1) for requests with ≥ 2 output tokens', () => {
    // r1: 500/4 = 125; r3: 1000/2 = 500; r2 has one token and no TPOT.
    expect(m.tpot_ms).toEqual({ count: 2, mean: 312.5, std: 187.5, min: 125, p50: 312.5, p90: 462.5, p95: 481.25, p99: 496.25, max: 500 });
  });

  it('pools the gaps between successive content chunks as ITL', () => {
    expect(m.itl_ms).toMatchObject({ count: 5, min: 125, p50: 125, max: 1000, mean: 300 });
    expect(m.max_chunk_tokens).toBe(2);
  });

  it('spreads each gap over its chunk\'s tokens as per-token ITL when chunks held several tokens', () => {
    // r1: four gaps of 125 ms ending 1-token chunks; r3: one gap of 1000 ms ending a 2-token chunk → 2 × 500.
    expect(m.itl_per_token_ms).toMatchObject({ count: 6, min: 125, max: 500, mean: 250 });
    // Without per-chunk counts the output tokens are spread evenly: 8 tokens in 4 chunks, 100 ms apart.
    const even = computeScenarioMetrics([okRecord({ id: 'e', sentAt: 0, ttftMs: 10, e2eMs: 310, outputTokens: 8, chunkOffsetsMs: [10, 110, 210, 310] })], { startMs: 0, endMs: 1000 });
    expect(even.itl_per_token_ms).toMatchObject({ count: 6, min: 50, max: 50 });
    expect(even.itl_ms).toMatchObject({ count: 3, min: 100, max: 100 });
    // One token per chunk: per-token ITL would repeat itl_ms, so it is left out.
    const single = computeScenarioMetrics([okRecord({ id: 's', sentAt: 0, ttftMs: 10, e2eMs: 310, outputTokens: 4, chunkOffsetsMs: [10, 110, 210, 310] })], { startMs: 0, endMs: 1000 });
    expect('itl_per_token_ms' in single).toBe(false);
  });

  it('computes per-request input and output throughput', () => {
    // Input: 50/0.125 = 400, 100/0.25 = 400, 10/0.5 = 20. Output: 4/0.5 = 8, 2/1 = 2 (r2 has none).
    expect(m.input_throughput_tps).toMatchObject({ count: 3, min: 20, p50: 400, max: 400 });
    expect(m.output_throughput_tps).toMatchObject({ count: 2, min: 2, max: 8, mean: 5 });
  });

  it('computes run-level numbers over the measurement window', () => {
    expect(m.duration_s).toBe(4);
    expect(m.completed).toBe(3);
    expect(m.failed).toBe(2);
    expect(m.error_rate).toBe(0.4);
    expect(m.request_throughput_rps).toBe(0.75);
    expect(m.total_input_tokens).toBe(160);
    expect(m.total_output_tokens).toBe(9);
    expect(m.output_token_throughput_tps).toBe(2.25);
    expect(m.total_token_throughput_tps).toBe(42.25);
    expect(m.errors_by_kind).toEqual({ http_status: 1, deadline: 1 });
    expect(m.token_sources).toEqual({ usage: 2, estimate: 1 });
  });

  it('counts goodput as successful requests within every SLO (a 1-token request has no TPOT to break)', () => {
    // r1 (ttft 125, tpot 125) and r2 (ttft 250, no tpot) meet both; r3 (ttft 500) does not.
    expect(m.goodput_rps).toBe(0.5);
    expect(computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW).goodput_rps).toBeNull();
    expect(computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { e2e_ms: 625 } }).goodput_rps).toBe(0.5);
  });

  it('reports latency from the scheduled send time for open-loop requests', () => {
    // TTFT + (sentAt − scheduledAt): 125 + 2, 250 + 0, 500 + 10.
    expect(m.ttft_from_schedule_ms).toMatchObject({ count: 3, min: 127, p50: 250, max: 510 });
    expect(m.e2e_from_schedule_ms).toMatchObject({ count: 3, min: 250, p50: 627, max: 1510 });
  });

  it('leaves the from-schedule distributions out of closed-loop runs', () => {
    const closed = computeScenarioMetrics([okRecord({ id: 'c', sentAt: 0, ttftMs: 10, e2eMs: 20, outputTokens: 2, chunkOffsetsMs: [10, 20] })], { startMs: 0, endMs: 21 });
    expect('ttft_from_schedule_ms' in closed).toBe(false);
    expect('max_chunk_tokens' in closed).toBe(false);
    expect(closed.tpot_ms?.p50).toBe(10);
  });

  it('gives nulls and zeros, never NaN, when nothing was measured', () => {
    const empty = computeScenarioMetrics([], { startMs: 5, endMs: 5 });
    expect(empty.ttft_ms).toBeNull();
    expect(empty.itl_ms).toBeNull();
    expect(empty).toMatchObject({ request_throughput_rps: 0, output_token_throughput_tps: 0, error_rate: 0, completed: 0, failed: 0, duration_s: 0, goodput_rps: null });
  });

  it('refuses an SLO on something that is not a per-request latency', () => {
    expect(() => computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { itl_p99: 5 } })).toThrow(InputError);
    expect(() => computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { itl_p99: 5 } })).toThrow(
      'slo.itl_p99: not a per-request latency; use one of ttft_ms, tpot_ms, e2e_ms, output_latency_ms (ms)',
    );
  });
});

describe('single-chunk answers', () => {
  it('have no TPOT (a non-streamed answer cannot show its decode time), but keep TTFT and E2E', () => {
    const whole = okRecord({ id: 'a', sentAt: 1000, ttftMs: 400, e2eMs: 400, outputTokens: 50, chunkOffsetsMs: [400] });
    const streamed = okRecord({ id: 'b', sentAt: 1100, ttftMs: 100, e2eMs: 590, outputTokens: 50, chunkOffsetsMs: [100, 590] });
    const m = computeScenarioMetrics([whole, streamed], { startMs: 1000, endMs: 1700 });
    expect(m.tpot_ms).toMatchObject({ count: 1, p50: 10 });
    expect(m.ttft_ms!.count).toBe(2);
    expect(m.e2e_ms!.count).toBe(2);
  });
});
