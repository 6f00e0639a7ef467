import { describe, expect, it } from 'vitest';
import { bootstrapLogPercentileSd, clustered } from '../../src/gate/bootstrap.js';
import { gateRun } from '../../src/gate/gate.js';
import { holmAdjust, holmLevels } from '../../src/gate/holm.js';
import { compareLog, perRunVariance } from '../../src/gate/log-comparison.js';
import { normalCdf, normalQuantile } from '../../src/gate/normal.js';
import { percentileOf } from '../../src/gate/select.js';
import { percentile } from '../../src/metrics/stats.js';
import { Random } from '../../src/workload/random.js';
import { syntheticRun } from './fixtures.js';

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.05 / 7)).toBeCloseTo(-2.4499977, 6); // Python statistics.NormalDist().inv_cdf
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424, 4);
  });
});

describe('percentiles by quickselect', () => {
  it('equals numpy linear interpolation', () => {
    expect(percentileOf([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentileOf([4, 1, 3, 2], 90)).toBeCloseTo(3.7, 12);
    expect(percentileOf([10], 99)).toBe(10);
    expect(percentileOf([5, 5, 5, 1], 0)).toBe(1);
  });
  it('agrees with the metrics stage on random data', () => {
    const rng = new Random(5);
    for (let t = 0; t < 50; t++) {
      const xs = Array.from({ length: 1 + rng.int(0, 300) }, () => Math.round(rng.lognormal(20, 10) * 4) / 4);
      const sorted = [...xs].sort((a, b) => a - b);
      for (const p of [0, 50, 90, 95, 99, 100]) expect(percentileOf(xs, p)).toBeCloseTo(percentile(sorted, p), 9);
    }
  });
});

describe('Holm', () => {
  // Hand-computed: sorted p 0.005, 0.01, 0.03, 0.04 with m = 4 → 0.02, 0.03, 0.06, max(0.06, 0.04).
  it('adjusts p-values step-down', () => {
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adj.map((x) => Number(x.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
  });
  it('draws lower bounds at the level of the step, stopping at the first non-rejection', () => {
    // 0.005 < 0.05/4 and 0.01 < 0.05/3 are rejected; 0.03 ≥ 0.05/2 stops; 0.04 keeps that level.
    const levels = holmLevels([0.01, 0.04, 0.03, 0.005], 0.05);
    expect(levels.map((x) => Number(x.toFixed(10)))).toEqual([Number((0.05 / 3).toFixed(10)), 0.025, 0.025, 0.0125]);
  });
  it('rejects exactly when the adjusted p is below α', () => {
    const rng = new Random(9);
    for (let t = 0; t < 200; t++) {
      const ps = Array.from({ length: 1 + rng.int(0, 9) }, () => rng.float() ** 3);
      const adj = holmAdjust(ps);
      const levels = holmLevels(ps, 0.05);
      ps.forEach((p, i) => expect(p < levels[i]).toBe(adj[i] < 0.05));
    }
  });
  it('with one comparison is the plain test', () => {
    expect(holmAdjust([0.03])).toEqual([0.03]);
    expect(holmLevels([0.03], 0.05)).toEqual([0.05]);
  });
});

describe('block bootstrap', () => {
  it('is wider than the naive bootstrap on autocorrelated data', () => {
    const rng = new Random(11);
    let x = 0;
    const series: number[][] = [];
    for (let i = 0; i < 400; i++) {
      x = 0.9 * x + Math.sqrt(1 - 0.81) * rng.normal(0, 0.3);
      series.push([Math.exp(3 + x)]);
    }
    const samples = clustered(series);
    const [naive] = bootstrapLogPercentileSd(samples, [50], { blockLength: 1, replicates: 400, seed: 1 });
    const [block] = bootstrapLogPercentileSd(samples, [50], { blockLength: 20, replicates: 400, seed: 1 });
    expect(block).toBeGreaterThan(1.8 * naive);
  });
  it('agrees with the naive bootstrap on independent data', () => {
    const rng = new Random(12);
    const series = Array.from({ length: 400 }, () => [Math.exp(3 + rng.normal(0, 0.3))]);
    const samples = clustered(series);
    const [naive] = bootstrapLogPercentileSd(samples, [50], { blockLength: 1, replicates: 400, seed: 2 });
    const [block] = bootstrapLogPercentileSd(samples, [50], { blockLength: 20, replicates: 400, seed: 2 });
    expect(block / naive).toBeGreaterThan(0.7);
    expect(block / naive).toBeLessThan(1.4);
  });
  it('is reproducible with a seed', () => {
    const samples = clustered([[1], [2], [3], [4], [5], [6], [7], [8]]);
    const a = bootstrapLogPercentileSd(samples, [50, 90], { blockLength: 2, replicates: 50, seed: 3 });
    const b = bootstrapLogPercentileSd(samples, [50, 90], { blockLength: 2, replicates: 50, seed: 3 });
    expect(a).toEqual(b);
  });
});

describe('log comparison', () => {
  it('adds the prior and within-run variance for one baseline', () => {
    const c = compareLog({ current: 110, baselines: [100], withinVar: 0.0001, prior: 0.02, priorWeight: 5, higherIsBetter: false });
    expect(c.worse).toBeCloseTo(Math.log(1.1), 12);
    expect(c.se).toBeCloseTo(Math.sqrt((0.0004 + 0.0001) * 2), 12);
    expect(c.pWorse).toBeCloseTo(1 - normalCdf(Math.log(1.1) / c.se), 12);
  });
  it('flips the sign for higher-is-better metrics', () => {
    const c = compareLog({ current: 90, baselines: [100], withinVar: 0, prior: 0.02, priorWeight: 5, higherIsBetter: true });
    expect(c.worse).toBeCloseTo(-Math.log(0.9), 12);
  });
  it('shrinks a history spread toward the prior', () => {
    const logs = [0, 0.1, -0.1, 0.05, -0.05];
    const spread = (0.01 + 0.01 + 0.0025 + 0.0025) / 4;
    expect(perRunVariance(logs, 0.0004, 5)).toBeCloseTo((5 * 0.0004 + 4 * spread) / 9, 12);
    expect(perRunVariance(logs.slice(0, 2), 0.0004, 5)).toBe(0.0004);
  });
});

describe('interval coverage (seeded simulation)', () => {
  it('covers the true ratio at about its stated 90 % rate', () => {
    const trials = 120;
    const drift = 0.03;
    const trueRatio = 1.05;
    const rng = new Random(21);
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const base = syntheticRun({ workloadSeed: 100 + t, runSeed: 2 * t + 1, factor: Math.exp(rng.normal(0, drift)), requests: 120 });
      const cur = syntheticRun({ workloadSeed: 100 + t, runSeed: 2 * t + 2, factor: trueRatio * Math.exp(rng.normal(0, drift)), requests: 120 });
      const d = gateRun(cur, [base], { thresholds: onlyTpot(), noise: { tpot_ms: drift }, bootstrapReplicates: 100 });
      const c = d.comparisons.find((x) => x.metric === 'tpot_ms');
      if (c?.interval && c.interval[0] <= trueRatio - 1 && trueRatio - 1 <= c.interval[1]) covered++;
    }
    // One comparison: lower and upper bounds at α = 0.05 each, 90 % two-sided; ±3 binomial sd.
    expect(covered / trials).toBeGreaterThan(0.82);
    expect(covered / trials).toBeLessThan(0.97);
  });
});

function onlyTpot(): Record<string, string> {
  return {
    'ttft_ms.p50': 'off',
    'ttft_ms.p90': 'off',
    'itl_ms.p50': 'off',
    'e2e_ms.p90': 'off',
    output_token_throughput_tps: 'off',
    error_rate: 'off',
    'tpot_ms.p50': '+5%',
  };
}
