// Seeded statistical checks of the arrival processes: the Poisson process passes a
// Kolmogorov–Smirnov test against the exponential, gamma gaps have the coefficient of
// variation 1/√k, and shaped rates (ramp, sine, spike) are realised as their curves say.
import { describe, expect, it } from 'vitest';
import { arrivalOffsets, gammaArrivals, poissonArrivals, type ArrivalSpec } from '../../src/load/arrivals.js';
import { integrateFactor, rateFactor } from '../../src/load/rate-shape.js';
import { Random } from '../../src/workload/random.js';

function gaps(offsets: number[]): number[] {
  return offsets.slice(1).map((t, i) => t - offsets[i]);
}

/** The KS statistic D = sup |F_n(x) − F(x)| of a sample against a CDF. */
function ksStatistic(sample: number[], cdf: (x: number) => number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** The KS critical value at α = 0.01 for large n (Smirnov's asymptotic 1.628/√n). */
const ksCritical01 = (n: number): number => 1.628 / Math.sqrt(n);

function take(gen: Iterator<number>, n: number): number[] {
  return Array.from({ length: n }, () => gen.next().value as number);
}

function countIn(offsets: number[], fromMs: number, toMs: number): number {
  return offsets.filter((t) => t >= fromMs && t < toMs).length;
}

describe('Poisson arrivals', () => {
  it('pass a Kolmogorov–Smirnov test against the exponential with mean 1000/rate', () => {
    for (const seed of [1, 2, 3]) {
      const g = gaps(poissonArrivals(25, 5001, new Random(seed)));
      const d = ksStatistic(g, (x) => 1 - Math.exp(-x / 40));
      expect(d).toBeLessThan(ksCritical01(g.length));
    }
  });

  it('the same KS test rejects gaps that are not exponential (it has power)', () => {
    const bursty = gaps(gammaArrivals(25, 5001, 0.5, new Random(1)));
    expect(ksStatistic(bursty, (x) => 1 - Math.exp(-x / 40))).toBeGreaterThan(ksCritical01(bursty.length));
    // And the right rate matters: Poisson gaps at 25/s against an exponential of mean 44 ms.
    const g = gaps(poissonArrivals(25, 5001, new Random(1)));
    expect(ksStatistic(g, (x) => 1 - Math.exp(-x / 44))).toBeGreaterThan(ksCritical01(g.length));
  });
});

describe('gamma arrivals (burstiness)', () => {
  it('has the coefficient of variation √2 at k = 0.5 and keeps the mean gap 1000/rate', () => {
    const g = gaps(gammaArrivals(8, 50_001, 0.5, new Random(21)));
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    const std = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length);
    expect(Math.abs(mean - 125) / 125).toBeLessThan(0.02);
    expect(Math.abs(std / mean - Math.SQRT2)).toBeLessThan(0.03);
  });

  it('is Poisson at k = 1 through the load config', () => {
    const a = take(arrivalOffsets({ type: 'gamma', rate: 10, burstiness: 1 }, new Random(5)), 50);
    const b = take(arrivalOffsets({ type: 'poisson', rate: 10 }, new Random(5)), 50);
    expect(a).toEqual(b);
  });
});

describe('shaped rates', () => {
  it('a spike multiplies the constant rate exactly inside its window', () => {
    const spec: ArrivalSpec = { type: 'constant', rate: 10, fluctuation: { kind: 'spike', at_s: 2, duration_s: 1, factor: 3 } };
    const offsets = take(arrivalOffsets(spec, new Random(1)), 60);
    expect(countIn(offsets, 0, 2000)).toBe(20);
    expect(countIn(offsets, 2000, 3000)).toBe(30);
    expect(countIn(offsets, 3000, 4000)).toBe(10);
    // Offsets in the spike are 1000/30 ms apart.
    const inSpike = offsets.filter((t) => t >= 2000 && t < 3000);
    for (const g of gaps(inSpike)) expect(g).toBeCloseTo(1000 / 30, 6);
  });

  it('a linear ramp-up places constant arrivals where the rate integral reaches them', () => {
    // rate 10 ramped over 1 s: Λ(t) = 10 t²/2 (t in s) until 1 s, so arrival i is at √(2i/10) s.
    const offsets = take(arrivalOffsets({ type: 'constant', rate: 10, ramp_up_s: 1 }, new Random(1)), 9);
    const expected = [0, 447.2136, 632.4555, 774.5967, 894.4272, 1000, 1100, 1200, 1300];
    offsets.forEach((t, i) => expect(t).toBeCloseTo(expected[i], 2));
  });

  it("a sine overlay's realised Poisson rate follows its curve (χ² over phase bins)", () => {
    const spec: ArrivalSpec = { type: 'poisson', rate: 40, fluctuation: { kind: 'sinusoidal', amplitude: 0.6, period_s: 10, phase_s: 0 } };
    const horizonMs = 400_000; // 40 periods, ~16,000 arrivals
    const gen = arrivalOffsets(spec, new Random(9));
    const offsets: number[] = [];
    for (let t = gen.next().value as number; t < horizonMs; t = gen.next().value as number) offsets.push(t);
    const bins = 20;
    const binMs = 10_000 / bins;
    const observed = new Array<number>(bins).fill(0);
    for (const t of offsets) observed[Math.floor((t % 10_000) / binMs)]++;
    const factor = rateFactor(spec)!;
    const expected = Array.from({ length: bins }, (_, b) => (40 * integrateFactor(factor, b * binMs, (b + 1) * binMs) * 40) / 1000);
    const chi2 = observed.reduce((sum, o, b) => sum + (o - expected[b]) ** 2 / expected[b], 0);
    // χ² with 19 degrees of freedom: 43.8 at p = 0.001.
    expect(chi2).toBeLessThan(43.8);
    // The curve is really there: the peak bin is ~4× the trough bin (1.6 / 0.4).
    expect(Math.max(...observed) / Math.min(...observed)).toBeGreaterThan(3);
    // A flat rate would fail the same test.
    const flat = observed.reduce((sum, o) => sum + (o - offsets.length / bins) ** 2 / (offsets.length / bins), 0);
    expect(flat).toBeGreaterThan(1000);
  });

  it('multiplies overlays and a ramp, and repeats for the same seed only', () => {
    const spec: ArrivalSpec = {
      type: 'gamma',
      rate: 50,
      burstiness: 2,
      ramp_up_s: 2,
      fluctuation: [
        { kind: 'sinusoidal', amplitude: 0.3, period_s: 5, phase_s: 0 },
        { kind: 'spike', at_s: 4, duration_s: 1, factor: 2 },
      ],
    };
    const factor = rateFactor(spec)!;
    expect(factor(1000)).toBeCloseTo(0.5 * (1 + 0.3 * Math.sin((2 * Math.PI) / 5)), 12);
    expect(factor(4500)).toBeCloseTo(2 * (1 + 0.3 * Math.sin((2 * Math.PI * 4.5) / 5)), 12);
    const a = take(arrivalOffsets(spec, new Random(3)), 200);
    expect(take(arrivalOffsets(spec, new Random(3)), 200)).toEqual(a);
    expect(take(arrivalOffsets(spec, new Random(4)), 200)).not.toEqual(a);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[i - 1]);
  });

  it('returns no factor for a flat rate', () => {
    expect(rateFactor({})).toBeNull();
  });
});
