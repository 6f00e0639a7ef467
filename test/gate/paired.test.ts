import { describe, expect, it } from 'vitest';
import { pairedVirtualJob, STRONG_NOISE } from '../../bench/paired-virtual.js';
import type { VirtualScenario } from '../../bench/gate-virtual-runs.js';
import { gateRun } from '../../src/gate/gate.js';
import { statisticValue } from '../../src/gate/metric-catalog.js';
import { gatePaired, type PairedRound } from '../../src/gate/paired.js';
import { PAIRED_DEFAULT_THRESHOLDS, pairedLogDifferences, pairedThresholdSet } from '../../src/gate/paired-rounds.js';
import { studentTCdf, studentTQuantile } from '../../src/gate/paired-student-t.js';
import { computeScenarioMetrics } from '../../src/metrics/compute.js';
import { poolRounds } from '../../src/report/merge.js';
import type { RunResult } from '../../src/types.js';
import { syntheticRun } from './fixtures.js';

/** Every latency of a run × f (a machine f times slower), metrics recomputed: percentiles scale exactly. */
function scaled(run: RunResult, f: number, url = run.target.baseUrl): RunResult {
  return {
    ...run,
    target: { ...run.target, baseUrl: url },
    scenarios: run.scenarios.map((s) => {
      const requests = s.requests.map((r) => ({
        ...r,
        ttftMs: r.ttftMs === null ? null : r.ttftMs * f,
        e2eMs: r.e2eMs === null ? null : r.e2eMs * f,
        streamEndMs: r.streamEndMs === null ? null : r.streamEndMs * f,
        chunkOffsetsMs: r.chunkOffsetsMs.map((x) => x * f),
      }));
      const window = { startMs: s.window.startMs, endMs: s.window.startMs + (s.window.endMs - s.window.startMs) * f };
      return { ...s, requests, window, metrics: computeScenarioMetrics(requests, window) };
    }),
  };
}

function rounds(machine: number[], candidateFactor: number[]): PairedRound[] {
  return machine.map((m, r) => {
    const base = syntheticRun({ workloadSeed: 5, runSeed: 100 + r, factor: 1 });
    return { baseline: scaled(base, m, 'http://a'), candidate: scaled(base, m * candidateFactor[r], 'http://b') };
  });
}

function decide(rs: PairedRound[], thresholds?: Record<string, string>) {
  return gatePaired(rs, poolRounds(rs.map((r) => r.candidate)), { thresholds });
}

describe("Student's t", () => {
  it('matches published quantiles', () => {
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.570582, 5);
    expect(studentTQuantile(0.95, 1)).toBeCloseTo(6.313752, 5);
    expect(studentTQuantile(0.995, 2)).toBeCloseTo(9.924843, 5);
    expect(studentTQuantile(0.05, 4)).toBeCloseTo(-2.131847, 5);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 4);
    expect(studentTCdf(2, 3)).toBeCloseTo(0.930337, 6);
    expect(studentTCdf(0, 7)).toBe(0.5);
    expect(studentTCdf(studentTQuantile(0.001, 3), 3)).toBeCloseTo(0.001, 9);
  });
});

describe('pairedLogDifferences', () => {
  it('takes log ratios per round, worse positive, and drops rounds missing a side', () => {
    const d = pairedLogDifferences([10, 10, null, 20], [11, 12, 5, 20], false);
    expect(d.rounds).toBe(3);
    expect(d.dropped).toBe(1);
    [Math.log(1.1), Math.log(1.2), 0].forEach((x, i) => expect(d.worse[i]).toBeCloseTo(x, 12));
    const mean = (Math.log(1.1) + Math.log(1.2)) / 3;
    expect(d.meanWorse).toBeCloseTo(mean, 12);
    const sd = Math.sqrt(((Math.log(1.1) - mean) ** 2 + (Math.log(1.2) - mean) ** 2 + mean ** 2) / 2);
    expect(d.sd).toBeCloseTo(sd, 12);
    expect(d.se).toBeCloseTo(sd / Math.sqrt(3), 12);
    expect(d.baselineValue).toBeCloseTo(Math.cbrt(10 * 10 * 20), 9);
    // A throughput: a drop is worse.
    expect(pairedLogDifferences([100], [90], true).worse[0]).toBeCloseTo(Math.log(100 / 90), 12);
  });
});

describe('gatePaired', () => {
  it('cancels a machine factor shared by both servers of a round, however large', () => {
    const rs = rounds([0.8, 1.25, 1.0, 0.9, 1.15, 1.05], [1, 1, 1, 1, 1, 1]);
    const d = decide(rs);
    expect(d.verdict).toBe('pass');
    for (const c of d.comparisons.filter((x) => x.metric !== 'error_rate')) {
      expect(c.change).toBeCloseTo(0, 9);
      expect(c.verdict).toBe('unchanged');
    }
    // The stored-baseline gate, fed round 1's candidate against round 2's baseline (another machine), cries wolf.
    expect(gateRun(rs[0].candidate, [rs[1].baseline]).verdict).not.toBe('regression'); // 0.8 vs 1.25: an improvement
    expect(gateRun(rs[1].candidate, [rs[0].baseline]).verdict).toBe('regression');
  });

  it('gives the t interval of the per-round log ratios, with Holm on its lower end', () => {
    const f = [1.1, 1.11, 1.09, 1.1, 1.12, 1.08];
    const rs = rounds([1, 0.9, 1.1, 1, 0.95, 1.05], f);
    const d = decide(rs);
    expect(d.verdict).toBe('regression');
    const tpot = d.comparisons.find((c) => c.metric === 'tpot_ms' && c.statistic === 'p50')!;
    const logs = f.map(Math.log);
    const m = logs.reduce((a, b) => a + b, 0) / 6;
    const se = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / 5) / Math.sqrt(6);
    expect(tpot.change).toBeCloseTo(Math.exp(m) - 1, 9);
    expect(tpot.interval![1]).toBeCloseTo(Math.exp(m + studentTQuantile(0.95, 5) * se) - 1, 9);
    // Holm: the lower end is drawn at a level between α/(number of comparisons) and α.
    const lo = Math.log(1 + tpot.interval![0]);
    const z = (m - lo) / se;
    expect(z).toBeGreaterThanOrEqual(studentTQuantile(0.95, 5) - 1e-9);
    expect(z).toBeLessThanOrEqual(studentTQuantile(1 - 0.05 / 7, 5) + 1e-9);
    expect(tpot.verdict).toBe('regression');
    expect(tpot.threshold).toBe(0.03);
    expect(d.reasons[0]).toMatch(/^scenario synthetic: ttft_ms\.p50 regressed \+10\.\d % \(threshold \+8\.0 %\)$/);
    expect(d.reasons.at(-1)).toBe('paired: 6 rounds, baseline server http://a against candidate http://b');
  });

  it('answers inconclusive when the rounds disagree, and says how many rounds would decide', () => {
    const rs = rounds([1, 1, 1], [1.0, 1.12, 0.96]);
    const d = decide(rs, { 'ttft_ms.p50': 'off', 'ttft_ms.p90': 'off', 'e2e_ms.p90': 'off', 'itl_ms.p50': 'off' });
    const tpot = d.comparisons.find((c) => c.metric === 'tpot_ms')!;
    expect(tpot.verdict).toBe('inconclusive');
    expect(tpot.note).toMatch(/^about \d+ rounds would decide \(3 ran\)$/);
    expect(d.verdict).toBe('inconclusive');
  });

  it('a scenario missing on one side in some round is inconclusive, not a verdict', () => {
    const rs = rounds([1, 1, 1], [1, 1, 1]);
    rs[1] = { ...rs[1], baseline: { ...rs[1].baseline, scenarios: rs[1].baseline.scenarios.map((x) => ({ ...x, name: 'other' })) } };
    const d = decide(rs);
    expect(d.comparisons.find((c) => c.metric === 'tpot_ms')!.note).toBe('the baseline server has no result for this scenario in some round');
    expect(d.verdict).toBe('inconclusive');
  });

  it('a round whose load generator fell behind makes a slower candidate inconclusive, not a regression', () => {
    const f = [1.1, 1.11, 1.09, 1.1, 1.12, 1.08];
    expect(decide(rounds([1, 0.9, 1.1, 1, 0.95, 1.05], f)).verdict).toBe('regression');
    const rs = rounds([1, 0.9, 1.1, 1, 0.95, 1.05], f);
    const stalled = (delayMs: number): PairedRound[] => {
      const copy = [...rs];
      const health = { ...rs[2].baseline.clientHealth, trustworthy: false, reasons: ['slip'], eventLoopDelayMs: { p50: 1, p99: delayMs, max: delayMs } };
      // The stalled client also sent late: it delivered half the offered rate that round.
      const scenarios = rs[2].baseline.scenarios.map((x) => ({ ...x, metrics: { ...x.metrics, achieved_rate_rps: (x.metrics.offered_rate_rps ?? 1) / 2, offered_rate_rps: x.metrics.offered_rate_rps ?? 1 } }));
      copy[2] = { ...rs[2], baseline: { ...rs[2].baseline, clientHealth: health, scenarios } };
      return copy;
    };
    // A 1 ms stall cannot make a 20 ms TPOT 10 % slower: still a regression.
    expect(decide(stalled(1)).verdict).toBe('regression');
    // Stalls of seconds could explain any of it.
    const d = decide(stalled(5000));
    expect(d.verdict).toBe('inconclusive');
    expect(d.comparisons.filter((c) => c.verdict === 'regression')).toEqual([]);
    expect(d.reasons.some((r) => r.includes('fell behind in some round'))).toBe(true);
  });

  it('a failed round makes the verdict error', () => {
    const rs = rounds([1, 1], [1, 1]);
    const s = rs[1].candidate.scenarios[0];
    rs[1].candidate = { ...rs[1].candidate, scenarios: [{ ...s, metrics: { ...s.metrics, completed: 2, failed: 198 } }] };
    const d = decide(rs);
    expect(d.verdict).toBe('error');
    expect(d.reasons[0]).toBe("round 2, candidate server: scenario 'synthetic': only 2 of 200 requests succeeded (need 5 to measure)");
  });

  it('checks absolute limits on the pooled candidate', () => {
    const rs = rounds([1, 1, 1], [1, 1, 1]);
    const pooled = poolRounds(rs.map((r) => r.candidate));
    const d = gatePaired(rs, pooled, { thresholds: { 'ttft_ms.p99': '< 1' } });
    const limit = d.limits.find((l) => l.metric === 'ttft_ms')!;
    expect(limit.breached).toBe(true);
    expect(limit.value).toBe(statisticValue(pooled.scenarios[0], 'ttft_ms', 'p99'));
    expect(d.verdict).toBe('regression');
  });

  it('has its own defaults, which the config overrides key by key', () => {
    const set = pairedThresholdSet({ 'tpot_ms.p50': '+2%' });
    const byKey = Object.fromEntries(set.relative.map((t) => [`${t.metric}.${t.statistic}`, t.magnitude]));
    expect(byKey).toEqual({ 'ttft_ms.p50': 0.08, 'ttft_ms.p90': 0.1, 'tpot_ms.p50': 0.02, 'itl_ms.p50': 0.03, 'e2e_ms.p90': 0.04, 'output_token_throughput_tps.value': 0.03, 'error_rate.value': 0.01 });
    expect(Object.keys(PAIRED_DEFAULT_THRESHOLDS)).toHaveLength(7);
  });
});

describe('paired jobs under strong environment noise (virtual time)', () => {
  const small: VirtualScenario = { name: 'chat', rate: 4, requests: 60, warmup: 2, inputTokens: 128, outputTokens: 64, seed: 3 };
  it('passes A/A and catches a 5 % slower decode step, whatever the machine factor', async () => {
    for (const job of [1, 2, 3]) {
      const same = await pairedVirtualJob({ job, rounds: 4, noise: STRONG_NOISE, candidateDecodeFactor: 1, scenario: small });
      expect(gatePaired(same, poolRounds(same.map((r) => r.candidate))).verdict).toBe('pass');
      const slower = await pairedVirtualJob({ job, rounds: 4, noise: STRONG_NOISE, candidateDecodeFactor: 1.05, scenario: small });
      const d = gatePaired(slower, poolRounds(slower.map((r) => r.candidate)));
      expect(d.verdict).toBe('regression');
      expect(d.comparisons.find((c) => c.metric === 'tpot_ms')!.verdict).toBe('regression');
    }
  });
});
