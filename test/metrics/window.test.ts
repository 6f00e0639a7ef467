import { describe, expect, it } from 'vitest';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { constraintFailures, parseConstraint, type Constraint } from '../../src/metrics/constraints.js';
import { outputTokensInside, sendRates } from '../../src/metrics/window.js';
import { failedRecord, okRecord, SAMPLE_RECORDS, SAMPLE_WINDOW } from './records.js';

describe('throughput over a window without the drain tail', () => {
  // Four requests sent 1 s apart, each 4 chunks of 1 token at 100, 200, 300, 400 ms (stream end 401).
  const records = [0, 1000, 2000, 3000].map((t, i) =>
    okRecord({ id: `r${i}`, sentAt: t, scheduledAt: t, ttftMs: 100, e2eMs: 400, outputTokens: 4, inputTokens: 10, chunkOffsetsMs: [100, 200, 300, 400] }),
  );

  it('counts only the requests and tokens completed inside the window', () => {
    // Window = first send to last send (0 → 3000): r0–r2 complete inside, r3 is the tail.
    const m = computeScenarioMetrics(records, { startMs: 0, endMs: 3000 });
    expect(m.duration_s).toBe(3);
    expect(m.completed).toBe(4);
    expect(m.request_throughput_rps).toBe(1);
    // 12 tokens of r0–r2; r3's chunks arrive at 3100–3400, after the window.
    expect(m.output_token_throughput_tps).toBe(4);
    expect(m.total_token_throughput_tps).toBe((12 + 30) / 3);
    expect(m.total_output_tokens).toBe(16);
  });

  it('spreads tokens evenly over chunks when chunk token counts are unknown', () => {
    const r = okRecord({ id: 'x', sentAt: 0, ttftMs: 10, e2eMs: 30, outputTokens: 6, chunkOffsetsMs: [10, 20, 30] });
    expect(outputTokensInside(r, { startMs: 0, endMs: 25 })).toBe(4);
    const unstreamed = okRecord({ id: 'y', sentAt: 0, ttftMs: 30, e2eMs: 30, outputTokens: 6, chunkOffsetsMs: [] });
    expect(outputTokensInside(unstreamed, { startMs: 0, endMs: 25 })).toBe(0);
    expect(outputTokensInside(unstreamed, { startMs: 0, endMs: 40 })).toBe(6);
  });

  it('reports offered and achieved send rates', () => {
    const late = records.map((r, i) => ({ ...r, sentAt: r.sentAt + i * 500 }));
    const m = computeScenarioMetrics(late, { startMs: 0, endMs: 4500 });
    expect(m.offered_rate_rps).toBe(1);
    expect(m.achieved_rate_rps).toBeCloseTo(3 / 4.5, 12);
    const closed = records.map((r) => ({ ...r, scheduledAt: null }));
    expect(sendRates(closed)).toEqual({ achieved: 1 });
    expect(sendRates(records.slice(0, 1))).toEqual({});
  });

  it('gives request and token goodput and the SLO attainment', () => {
    const m = computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { ttft_ms: 300 } });
    // r1 (5 tokens) and r2 (1 token) are good, over 4 s; 2 of 5 requests met the SLO.
    expect(m.goodput_rps).toBe(0.5);
    expect(m.token_goodput_tps).toBe(1.5);
    expect(m.slo_attainment).toBe(0.4);
    const none = computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW);
    expect(none.token_goodput_tps).toBeNull();
    expect(none.slo_attainment).toBeNull();
  });
});

describe('constraints', () => {
  const m = computeScenarioMetrics(SAMPLE_RECORDS, SAMPLE_WINDOW, { slo: { ttft_ms: 300 } });
  const c = (text: string): Constraint => parseConstraint(text) as Constraint;

  it('parses distribution and run-level constraints', () => {
    expect(parseConstraint('ttft_ms.p90 < 500')).toEqual({ text: 'ttft_ms.p90 < 500', key: 'ttft_ms', statistic: 'p90', op: '<', limit: 500 });
    expect(parseConstraint(' error_rate<=0.01 ')).toEqual({ text: 'error_rate<=0.01', key: 'error_rate', op: '<=', limit: 0.01 });
    expect(parseConstraint('ttft_ms < 500')).toMatch(/ttft_ms is a distribution; name a statistic/);
    expect(parseConstraint('error_rate.p90 < 1')).toMatch(/error_rate is a single number/);
    expect(parseConstraint('latency.p90 < 5')).toMatch(/unknown metric latency/);
    expect(parseConstraint('ttft_ms.p90 ≈ 5')).toMatch(/is not a constraint/);
  });

  it('says which constraints a step breaks', () => {
    // TTFT of the three successes: 125, 250, 500 → p90 450; error rate 0.4.
    expect(constraintFailures([c('ttft_ms.p90 < 500')], m)).toEqual([]);
    expect(constraintFailures([c('ttft_ms.p90 < 400'), c('error_rate <= 0.01'), c('goodput_rps >= 0.5')], m)).toEqual([
      'ttft_ms.p90 450 is not < 400',
      'error_rate 0.400 is not <= 0.01',
    ]);
    const empty = computeScenarioMetrics([failedRecord({ id: 'f', sentAt: 0, status: 'error' })], { startMs: 0, endMs: 0 });
    expect(constraintFailures([c('ttft_ms.p90 < 400')], empty)).toEqual(['ttft_ms.p90 was not measured (needs < 400)']);
  });
});
